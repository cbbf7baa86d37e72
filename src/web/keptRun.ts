/**
 * The page's run survives a reload or a closed tab: every checkpoint the run saves is also written to the
 * browser's IndexedDB with the run's settings, and the page offers to resume it when it opens again. One run is
 * kept (the last one started); a finished run is forgotten. Storage that fails (private mode, quota) is said in
 * the log and the run goes on with its in-memory checkpoint only.
 */
import { memoryCheckpointStore } from '../checkpoint/store.js';
import { FeaturelabError } from '../errors.js';
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
/** How long a storage request may take before it counts as failed (a blocked or stuck IndexedDB must not stall the page). */
const STORAGE_TIMEOUT_MS = 10_000;

/** Opens (or creates) the page's database; rejects when the browser has no usable IndexedDB. */
function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    if (typeof indexedDB === 'undefined') { reject(new FeaturelabError('this browser has no IndexedDB')); return; }
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new FeaturelabError('IndexedDB open failed'));
  });
}

/** Runs one request on the runs store and resolves with its result once the transaction has committed. */
async function transact<T>(mode: IDBTransactionMode, op: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await openDb();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const req = op(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(req.result);
      tx.onerror = () => reject(tx.error ?? req.error ?? new FeaturelabError('IndexedDB transaction failed'));
      tx.onabort = () => reject(tx.error ?? new FeaturelabError('IndexedDB transaction aborted'));
    });
  } finally {
    db.close();
  }
}

/** transact, failed after STORAGE_TIMEOUT_MS (an open blocked by another tab never settles by itself). */
function withStore<T>(mode: IDBTransactionMode, op: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new FeaturelabError(`no answer from IndexedDB in ${STORAGE_TIMEOUT_MS / 1000} s`)), STORAGE_TIMEOUT_MS);
  });
  return Promise.race([transact(mode, op), timeout]).finally(() => clearTimeout(timer));
}

/** Storage writes in the order they were asked for (a run's saves, then its forgetting), each after the last settled. */
let queue: Promise<unknown> = Promise.resolve();

/** Runs `op` after every storage write asked for before it. */
function enqueue<T>(op: () => Promise<T>): Promise<T> {
  const next = queue.then(op);
  queue = next.catch(() => undefined);
  return next;
}

/** Whether a stored value has the shape keptCheckpointStore writes (anything else is ignored, not offered). */
function isKeptRun(v: unknown): v is KeptRun {
  const r = v as Partial<KeptRun> | undefined;
  const k = r?.settings;
  return typeof r?.text === 'string' && typeof r.version === 'string' && typeof r.savedAt === 'string' && !!k
    && typeof k.experiment === 'string' && typeof k.preset === 'string' && typeof k.seed === 'number' && typeof k.backend === 'string'
    && typeof k.config === 'object' && k.config !== null;
}

/** The kept run, or undefined when there is none (or storage cannot be read). */
export async function loadKeptRun(): Promise<KeptRun | undefined> {
  try {
    const run = await withStore<KeptRun | undefined>('readonly', (s) => s.get(KEY));
    return isKeptRun(run) ? run : undefined;
  } catch {
    return undefined;
  }
}

/** Forgets the kept run (after it finished), after any save still being written; storage errors are ignored, there is nothing to lose. */
export async function forgetKeptRun(): Promise<void> {
  await enqueue(() => withStore('readwrite', (s) => s.delete(KEY))).catch(() => undefined);
}

/**
 * A checkpoint store for one run that keeps its text in memory (as the CLI's file, for Resume) and writes each
 * save to IndexedDB with the settings; `text` starts as `restored` when the run is a kept one. The writes are
 * queued behind the run, which never waits for storage; a save made while an earlier one still waits in the
 * queue replaces it. The first failed write is passed to `warn`.
 */
export function keptCheckpointStore(every: number, settings: KeptSettings, version: string, warn: (message: string) => void, restored?: string): ReturnType<typeof memoryCheckpointStore> {
  const memory = memoryCheckpointStore(every);
  memory.text = restored;
  let warned = false;
  let waiting: KeptRun | undefined;
  const write = async (): Promise<void> => {
    const run = waiting;
    waiting = undefined;
    if (!run) return;
    await withStore('readwrite', (s) => s.put(run, KEY)).catch((e: unknown) => {
      if (!warned) warn(`the checkpoint could not be kept in this browser's storage (${e instanceof Error ? e.message : String(e)}); Stop and Resume work, but a reload would lose the run`);
      warned = true;
    });
  };
  const save = memory.save;
  memory.save = async (state) => {
    await save(state);
    const queued = waiting !== undefined;
    waiting = { version, settings, text: memory.text!, savedAt: new Date().toISOString() };
    if (!queued) void enqueue(write);
  };
  return memory;
}
