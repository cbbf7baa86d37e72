/**
 * The page's runs survive a reload or a closed tab: every checkpoint a run saves is also written to the browser's
 * IndexedDB with the run's settings (and its plots as they stood), under a key of its own, and the page offers
 * every kept run again when it opens. A tab holds a Web Lock named after each run it has in hand (running,
 * stopped or offered), so that a second tab neither offers nor forgets a run that another open tab is still
 * working on; closing a tab releases its locks. A finished run is forgotten; otherwise a kept run is forgotten
 * only when the user discards it, or as the oldest beyond the page's cap when a new run starts. Storage that
 * fails (private mode, quota) is said in the log and the run goes on with its in-memory checkpoint only.
 * Without Web Locks (an insecure context) every kept run counts as free.
 */
import type { CheckpointValue } from '../checkpoint/codec.js';
import { describePosition } from '../checkpoint/stages.js';
import { memoryCheckpointStore, type CheckpointStore } from '../checkpoint/store.js';
import { FeaturelabError } from '../errors.js';
import type { ConfigValue } from '../experiments/types.js';
import type { PlotData } from './plot.js';

/** What is needed to run the kept run again: the form's settings by name. */
export interface KeptSettings {
  experiment: string;
  preset: string;
  config: Record<string, ConfigValue>;
  seed: number;
  backend: string;
}

/**
 * The kept run: its settings, the featurelab version that saved it, its checkpoint text, when it was saved,
 * where the checkpoint stands (describePosition) and the plots at that checkpoint (both absent in older records).
 */
export interface KeptRun {
  version: string;
  settings: KeptSettings;
  text: string;
  savedAt: string;
  position?: string;
  plots?: PlotData;
}

const DB = 'featurelab';
const STORE = 'runs';
/** Prefix of the Web Lock a tab holds for each kept run it has in hand. */
const LOCK_PREFIX = 'featurelab-run:';
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

/**
 * What a transaction does on the runs store: one request, whose result it resolves with, or several, with a
 * function that reads their results once the transaction has committed.
 */
type StoreOp<T> = (store: IDBObjectStore) => IDBRequest<T> | (() => T);

/** Runs `op` on the runs store in one transaction and resolves with its result once the transaction has committed. */
async function transact<T>(mode: IDBTransactionMode, op: StoreOp<T>): Promise<T> {
  const db = await openDb();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const got = op(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(typeof got === 'function' ? got() : got.result);
      tx.onerror = () => reject(tx.error ?? (typeof got === 'function' ? null : got.error) ?? new FeaturelabError('IndexedDB transaction failed'));
      tx.onabort = () => reject(tx.error ?? new FeaturelabError('IndexedDB transaction aborted'));
    });
  } finally {
    db.close();
  }
}

/** transact, failed after STORAGE_TIMEOUT_MS (an open blocked by another tab never settles by itself). */
function withStore<T>(mode: IDBTransactionMode, op: StoreOp<T>): Promise<T> {
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
    && typeof k.config === 'object' && k.config !== null
    && (r.position === undefined || typeof r.position === 'string') && (r.plots === undefined || isPlotData(r.plots));
}

/** Whether `v` is a PlotData: per series name, two number arrays of one length. */
function isPlotData(v: unknown): v is PlotData {
  return typeof v === 'object' && v !== null && Object.values(v).every((l: { xs?: unknown; ys?: unknown } | null) =>
    Array.isArray(l?.xs) && Array.isArray(l.ys) && l.xs.length === l.ys.length && [...l.xs, ...l.ys].every((n) => typeof n === 'number'));
}

/** A kept run with its storage key. */
export interface KeptEntry {
  key: string;
  run: KeptRun;
}

/** A storage key for a new run: unique in this browser (time and a random tail; not part of any result). */
export function newRunKey(): string {
  return `run-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

/** The keys of the kept runs some open tab of this origin holds or is asking for (this one included); empty without Web Locks. */
async function heldKeys(): Promise<Set<string>> {
  const locks = typeof navigator === 'undefined' ? undefined : navigator.locks;
  if (!locks) return new Set();
  const { held = [], pending = [] } = await locks.query();
  return new Set([...held, ...pending].map((l) => l.name ?? '').filter((n) => n.startsWith(LOCK_PREFIX)).map((n) => n.slice(LOCK_PREFIX.length)));
}

/** Lets go of a claim on a kept run; resolves once other tabs may take it. */
export type Release = () => Promise<void>;

/**
 * Claims the kept run `key` for this tab until the returned release is called (or the tab closes), so that other
 * tabs leave it alone; resolves with null when another tab holds it already (between listing the kept runs and
 * claiming one, a second tab may have claimed it: skip it then). Without Web Locks every claim is granted.
 */
export function claimKeptRun(key: string): Promise<Release | null> {
  const locks = typeof navigator === 'undefined' ? undefined : navigator.locks;
  if (!locks) return Promise.resolve(async () => {});
  return new Promise((resolve) => {
    let release = (): void => {};
    const held = new Promise<void>((r) => { release = r; });
    const done: Promise<void> = locks.request(LOCK_PREFIX + key, { ifAvailable: true }, (lock) => {
      if (!lock) {
        resolve(null);
        return undefined;
      }
      resolve(() => { release(); return done; });
      return held;
    }).then(() => undefined, () => resolve(null));
  });
}

/** Every key and value in the runs store, read in one transaction (both lists in key order). */
function allEntries(): Promise<{ key: string; value: unknown }[]> {
  return withStore('readonly', (s) => {
    const keys = s.getAllKeys();
    const values = s.getAll();
    return () => keys.result.map((key, i) => ({ key: String(key), value: values.result[i] as unknown }));
  });
}

/** The kept runs that no open tab holds, newest first (none when storage cannot be read). */
export async function loadKeptRuns(): Promise<KeptEntry[]> {
  try {
    const [entries, held] = await Promise.all([allEntries(), heldKeys()]);
    return entries
      .filter((e): e is { key: string; value: KeptRun } => isKeptRun(e.value) && !held.has(e.key))
      .map((e) => ({ key: e.key, run: e.value }))
      .sort((a, b) => (a.run.savedAt < b.run.savedAt ? 1 : a.run.savedAt > b.run.savedAt ? -1 : 0));
  } catch {
    return [];
  }
}

/** Forgets the kept run `key` (after it finished), after any save still being written; storage errors are ignored, there is nothing to lose. */
export async function forgetKeptRun(key: string): Promise<void> {
  await enqueue(() => withStore('readwrite', (s) => s.delete(key))).catch(() => undefined);
}

/**
 * Keeps at most `cap` kept runs once the new run `spare` is stored: forgets the oldest of the others that no
 * other tab holds (those in `mine`, held by this tab, may go) and returns them, so the caller can say so.
 * Records of another shape are neither counted nor touched. Storage errors forget nothing.
 */
export async function forgetBeyondCap(cap: number, mine: ReadonlySet<string>, spare: string): Promise<KeptEntry[]> {
  return enqueue(async () => {
    const [entries, held] = await Promise.all([allEntries(), heldKeys()]);
    const kept = entries
      .filter((e): e is { key: string; value: KeptRun } => isKeptRun(e.value) && e.key !== spare)
      .sort((a, b) => (a.value.savedAt < b.value.savedAt ? -1 : a.value.savedAt > b.value.savedAt ? 1 : 0));
    const gone = kept.filter((e) => mine.has(e.key) || !held.has(e.key)).slice(0, Math.max(0, kept.length + 1 - cap));
    if (gone.length > 0) {
      await withStore('readwrite', (s) => {
        for (const e of gone) s.delete(e.key);
        return () => undefined;
      });
    }
    return gone.map((e) => ({ key: e.key, run: e.value }));
  }).catch(() => []);
}

/** A kept run's checkpoint store: the in-memory text, the record last saved, and the settings the next save records. */
export type KeptStore = ReturnType<typeof memoryCheckpointStore> & { record?: KeptRun; settings: KeptSettings };

/** What keptCheckpointStore needs besides the run's key and settings. */
export interface KeptStoreOptions {
  every: number;
  version: string;
  /** Hears the first failed write. */
  warn: (message: string) => void;
  /** The plots: snapshot() is kept with each save, restore() gets it back when the run loads its checkpoint. */
  plots: { snapshot(): PlotData; restore(data: PlotData): void };
  /** The kept record to continue (a kept run resumed). */
  restored?: KeptRun;
}

/**
 * A checkpoint store for one run that keeps its text in memory (as the CLI's file, for Resume) and writes each
 * save to IndexedDB under `key` with the settings, where the checkpoint stands and the plots; it starts from
 * `restored` when the run is a kept one. Loading the checkpoint (a resume, or a lost device's fallback) puts the
 * plots back as they were at that save, so the points the resumed run does not send again stay drawn and the
 * ones it sends again are not drawn twice. The writes are queued behind the run, which never waits for storage;
 * a save made while an earlier one still waits in the queue replaces it. The first failed write is passed to `warn`.
 */
export function keptCheckpointStore(key: string, settings: KeptSettings, o: KeptStoreOptions): KeptStore {
  const memory: KeptStore = Object.assign(memoryCheckpointStore(o.every), { record: o.restored, settings });
  memory.text = o.restored?.text;
  let warned = false;
  let waiting: KeptRun | undefined;
  const write = async (): Promise<void> => {
    const run = waiting;
    waiting = undefined;
    if (!run) return;
    await withStore('readwrite', (s) => s.put(run, key)).catch((e: unknown) => {
      if (!warned) o.warn(`the checkpoint could not be kept in this browser's storage (${e instanceof Error ? e.message : String(e)}); Stop and Resume work, but a reload would lose the run`);
      warned = true;
    });
  };
  const { load, save } = memory;
  memory.load = async () => {
    const state = await load();
    if (state !== undefined && memory.record?.plots) o.plots.restore(memory.record.plots);
    return state;
  };
  memory.save = async (state: CheckpointValue) => {
    const plots = o.plots.snapshot(); // taken before the save: the points sent until this checkpoint
    await save(state);
    const queued = waiting !== undefined;
    memory.record = { version: o.version, settings: memory.settings, text: memory.text!, savedAt: new Date().toISOString(), position: describePosition(state), plots };
    waiting = memory.record;
    if (!queued) void enqueue(write);
  };
  return memory;
}

/** `store`, with every later save recorded as a run on `backend` (a run whose WebGPU device was lost goes on on WASM). */
export function keptStoreOn(store: KeptStore, backend: string): CheckpointStore {
  return {
    every: store.every,
    writesStagesOnce: store.writesStagesOnce,
    load: () => store.load(),
    save: (state) => {
      store.settings = { ...store.settings, backend };
      return store.save(state);
    },
  };
}
