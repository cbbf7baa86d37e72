/**
 * The page's runs survive a reload or a closed tab: every checkpoint a run saves is also written to the browser's
 * IndexedDB with the run's settings, under a key of its own, and the page offers to resume it when it opens again.
 * A tab holds a Web Lock named after each run it has in hand (running, stopped or offered), so that a second tab
 * neither offers nor forgets a run that another open tab is still working on; closing a tab releases its locks.
 * A finished run is forgotten, and a new run forgets the kept runs no open tab holds (the ones offered and passed
 * over). Storage that fails (private mode, quota) is said in the log and the run goes on with its in-memory
 * checkpoint only. Without Web Locks (an insecure context) every kept run counts as free.
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
    && typeof k.config === 'object' && k.config !== null;
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

/**
 * Holds this tab's claim on the kept run `key` until the returned function is called (or the tab closes), so that
 * other tabs leave it alone; that function resolves once the claim is let go. Without Web Locks it claims nothing.
 */
export function claimKeptRun(key: string): () => Promise<void> {
  const locks = typeof navigator === 'undefined' ? undefined : navigator.locks;
  if (!locks) return async () => {};
  let release = (): void => {};
  const held = new Promise<void>((resolve) => { release = resolve; });
  const done = locks.request(LOCK_PREFIX + key, () => held).then(() => undefined, () => undefined);
  return () => { release(); return done; };
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

/** Forgets every stored record that no open tab holds (a new run passes over the runs offered before it). */
export async function forgetFreeKeptRuns(): Promise<void> {
  await enqueue(async () => {
    const [entries, held] = await Promise.all([allEntries(), heldKeys()]);
    const free = entries.filter((e) => !held.has(e.key));
    if (free.length > 0) {
      await withStore('readwrite', (s) => {
        for (const e of free) s.delete(e.key);
        return () => undefined;
      });
    }
  }).catch(() => undefined);
}

/**
 * A checkpoint store for one run that keeps its text in memory (as the CLI's file, for Resume) and writes each
 * save to IndexedDB under `key` with the settings; `text` starts as `restored` when the run is a kept one. The writes are
 * queued behind the run, which never waits for storage; a save made while an earlier one still waits in the
 * queue replaces it. The first failed write is passed to `warn`.
 */
export function keptCheckpointStore(every: number, key: string, settings: KeptSettings, version: string, warn: (message: string) => void, restored?: string): ReturnType<typeof memoryCheckpointStore> {
  const memory = memoryCheckpointStore(every);
  memory.text = restored;
  let warned = false;
  let waiting: KeptRun | undefined;
  const write = async (): Promise<void> => {
    const run = waiting;
    waiting = undefined;
    if (!run) return;
    await withStore('readwrite', (s) => s.put(run, key)).catch((e: unknown) => {
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
