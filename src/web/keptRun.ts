/**
 * The page's run survives a reload or a closed tab: every checkpoint the run saves is also written to the
 * browser's IndexedDB with the run's settings, and the page offers to resume it when it opens again. One run is
 * kept (the last one started); a finished run is forgotten. Storage that fails (private mode, quota) is said in
 * the log and the run goes on with its in-memory checkpoint only.
 */
import { memoryCheckpointStore } from '../checkpoint/store.js';
import type { ConfigValue } from '../experiments/types.js';

/** What is needed to run the kept run again: the form's settings by name. */
export interface KeptSettings {
  experiment: string;
  preset: string;
  config: Record<string, ConfigValue>;
  seed: number;
  backend: string;
}

/** The kept run: its settings, the featurelab version that saved it, its checkpoint text, and when it was saved. */
export interface KeptRun {
  version: string;
  settings: KeptSettings;
  text: string;
  savedAt: string;
}

const DB = 'featurelab';
const STORE = 'runs';
const KEY = 'last';

/** Opens (or creates) the page's database; rejects when the browser has no usable IndexedDB. */
function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    if (typeof indexedDB === 'undefined') { reject(new Error('this browser has no IndexedDB')); return; }
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB open failed'));
  });
}

/** Runs one request on the runs store and resolves with its result once the transaction has committed. */
async function withStore<T>(mode: IDBTransactionMode, op: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await openDb();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const req = op(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(req.result);
      tx.onerror = () => reject(tx.error ?? req.error ?? new Error('IndexedDB transaction failed'));
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    });
  } finally {
    db.close();
  }
}

/** The kept run, or undefined when there is none (or storage cannot be read). */
export async function loadKeptRun(): Promise<KeptRun | undefined> {
  try {
    const run = await withStore<KeptRun | undefined>('readonly', (s) => s.get(KEY));
    return run && typeof run.text === 'string' && run.settings ? run : undefined;
  } catch {
    return undefined;
  }
}

/** Forgets the kept run (after it finished); storage errors are ignored, there is nothing to lose. */
export async function forgetKeptRun(): Promise<void> {
  await withStore('readwrite', (s) => s.delete(KEY)).catch(() => undefined);
}

/**
 * A checkpoint store for one run that keeps its text in memory (as the CLI's file, for Resume) and writes each
 * save to IndexedDB with the settings; `text` starts as `restored` when the run is a kept one. The first failed
 * write is passed to `warn`.
 */
export function keptCheckpointStore(every: number, settings: KeptSettings, version: string, warn: (message: string) => void, restored?: string) {
  const memory = memoryCheckpointStore(every);
  memory.text = restored;
  let warned = false;
  const save = memory.save;
  memory.save = async (state) => {
    await save(state);
    const run: KeptRun = { version, settings, text: memory.text!, savedAt: new Date().toISOString() };
    await withStore('readwrite', (s) => s.put(run, KEY)).catch((e: unknown) => {
      if (!warned) warn(`the checkpoint could not be kept in this browser's storage (${e instanceof Error ? e.message : String(e)}); Stop and Resume work, but a reload would lose the run`);
      warned = true;
    });
  };
  return memory;
}
