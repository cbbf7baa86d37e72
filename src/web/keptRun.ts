/**
 * The page's runs survive a reload or a closed tab: every checkpoint a run saves is also written to the browser's
 * IndexedDB with the run's settings (and its plots as they stood), under a key of its own, and the page offers
 * every kept run again when it opens. A finished stage's text (an ensemble member's activations: megabytes) is
 * written once, as a record of its own; each save writes the rest of the checkpoint, which is small, so a long
 * ensemble's saves do not hold up the page, and listing the kept runs reads no checkpoint. A tab holds a Web Lock
 * named after each run it has in hand (running, stopped or offered), so that a second tab neither offers nor
 * forgets a run that another open tab is still working on; closing a tab releases its locks. A finished run is
 * forgotten; otherwise a kept run is forgotten only when the user discards it, or as the oldest beyond the page's
 * cap when a new run starts. Storage that fails (private mode, quota) is said in the log and the run goes on with
 * its in-memory checkpoint only. A text longer than one IndexedDB value may be (Chromium: about 127 MiB) is stored
 * in pieces: a stage's, or the part of a save that holds the stage in progress (a group of members trained together).
 * Without Web Locks (an insecure context) every kept run counts as free.
 */
import type { CheckpointValue } from '../checkpoint/codec.js';
import { describePosition } from '../checkpoint/stages.js';
import { joinCheckpointParts, memoryCheckpointStore, type CheckpointParts, type CheckpointStore } from '../checkpoint/store.js';
import { CheckpointError, FeaturelabError } from '../errors.js';
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
 * The kept run: its settings, the featurelab version that saved it, its checkpoint, when it was saved, where the
 * checkpoint stands (describePosition) and the plots at that checkpoint (both absent in older records). The
 * checkpoint is `checkpoint`, whose finished stages' texts are records of their own (readKeptCheckpoint joins
 * them), or, in records written before those, `text`, the whole checkpoint text.
 */
export interface KeptRun {
  version: string;
  settings: KeptSettings;
  checkpoint?: KeptCheckpointParts;
  text?: string;
  savedAt: string;
  position?: string;
  plots?: PlotData;
}

/**
 * A checkpoint's parts (CheckpointParts) with each finished stage named by its label; its text is stored apart.
 * `before` or `after` is null when it was too long for the record: stored apart too, under a label of its own.
 */
export interface KeptCheckpointParts {
  before: string | null;
  stages: string[];
  after: string | null;
}

/** A kept run's checkpoint as read back: its whole text, and the stage texts stored apart, by label. */
export interface KeptCheckpoint {
  text: string;
  stageTexts: Map<string, string>;
}

const DB = 'featurelab';
/** Version 2 added STAGES (version 1 kept each checkpoint whole in its run's record). */
const DB_VERSION = 2;
/** The kept runs' records (KeptRun), by run key. */
const RUNS = 'runs';
/** The finished stages' texts, by [run key, stage label]. */
const STAGES = 'stages';
/** Characters of the longest text stored as one value; longer ones go in pieces (Chromium refuses values over 133,169,152 bytes). */
export const PIECE_CHARS = 32 * 1024 * 1024;
/** Where KeptCheckpointParts' `before` and `after` are stored when too long for the record (no stage label starts with NUL). */
const PART_LABELS = { before: '\u0000before', after: '\u0000after' } as const;
/** Prefix of the Web Lock a tab holds for each kept run it has in hand. */
const LOCK_PREFIX = 'featurelab-run:';
/** How long a storage request may take before it counts as failed (a blocked or stuck IndexedDB must not stall the page). */
const STORAGE_TIMEOUT_MS = 10_000;

/** Opens (or creates) the page's database; rejects when the browser has no usable IndexedDB. */
function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    if (typeof indexedDB === 'undefined') { reject(new FeaturelabError('this browser has no IndexedDB')); return; }
    const req = indexedDB.open(DB, DB_VERSION);
    req.onupgradeneeded = () => {
      for (const name of [RUNS, STAGES]) if (!req.result.objectStoreNames.contains(name)) req.result.createObjectStore(name);
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new FeaturelabError('IndexedDB open failed'));
  });
}

/** The two object stores, as one transaction sees them. */
interface Stores { runs: IDBObjectStore; stages: IDBObjectStore }

/**
 * What a transaction does on the stores: one request, whose result it resolves with, or several, with a
 * function that reads their results once the transaction has committed.
 */
type StoreOp<T> = (stores: Stores) => IDBRequest<T> | (() => T);

/** Runs `op` on the stores in one transaction and resolves with its result once the transaction has committed. */
async function transact<T>(mode: IDBTransactionMode, op: StoreOp<T>): Promise<T> {
  const db = await openDb();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction([RUNS, STAGES], mode);
      const got = op({ runs: tx.objectStore(RUNS), stages: tx.objectStore(STAGES) });
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
  const c = r?.checkpoint;
  const hasCheckpoint = c === undefined
    ? typeof r?.text === 'string'
    : r?.text === undefined && [c?.before, c?.after].every((t) => typeof t === 'string' || t === null) && Array.isArray(c?.stages) && c.stages.every((l) => typeof l === 'string');
  return hasCheckpoint && typeof r?.version === 'string' && typeof r.savedAt === 'string' && !!k
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
  return withStore('readonly', ({ runs }) => {
    const keys = runs.getAllKeys();
    const values = runs.getAll();
    return () => keys.result.map((key, i) => ({ key: String(key), value: values.result[i] as unknown }));
  });
}

/** The STAGES keys of run `key`'s stage texts: [key, label] for every label ([key, []] sorts after them all). */
function stagesOf(key: string): IDBKeyRange {
  return IDBKeyRange.bound([key], [key, []]);
}

/** The STAGES keys of the pieces of run `key`'s text `label`: [key, label, i] for i = 0, 1, … */
function piecesOf(key: string, label: string): IDBKeyRange {
  return IDBKeyRange.bound([key, label, 0], [key, label, []]);
}

/** How a text stored in pieces is recorded under [key, label]: the number of pieces and the characters in all. */
interface PiecesHeader { pieces: number; chars: number }

/**
 * Puts `text` under [key, label] in `stages`, whole or, when longer than `piece` characters, as a PiecesHeader
 * there and its pieces under [key, label, i]; the pieces of an earlier text under the label are deleted first.
 */
function putText(stages: IDBObjectStore, key: string, label: string, text: string, piece: number): void {
  stages.delete(piecesOf(key, label));
  if (text.length <= piece) {
    stages.put(text, [key, label]);
    return;
  }
  const pieces = Math.ceil(text.length / piece);
  stages.put({ pieces, chars: text.length } satisfies PiecesHeader, [key, label]);
  for (let i = 0; i < pieces; i++) stages.put(text.slice(i * piece, (i + 1) * piece), [key, label, i]);
}

/** Deletes the text `label` of run `key` (whole or in pieces). */
function deleteText(stages: IDBObjectStore, key: string, label: string): void {
  stages.delete([key, label]);
  stages.delete(piecesOf(key, label));
}

/** Every text of run `key` in STAGES, by label, joined from its pieces; a text with a piece missing is left out. */
async function textsOf(key: string): Promise<Map<string, string>> {
  const { keys, values } = await withStore('readonly', ({ stages }) => {
    const k = stages.getAllKeys(stagesOf(key));
    const v = stages.getAll(stagesOf(key));
    return () => ({ keys: k.result as unknown as (string | number)[][], values: v.result as unknown[] });
  });
  const heads = new Map<string, unknown>();
  const pieces = new Map<string, unknown[]>();
  keys.forEach((k, i) => {
    const label = String(k[1]);
    if (k.length === 2) heads.set(label, values[i]);
    else if (k.length === 3 && typeof k[2] === 'number') (pieces.get(label) ?? pieces.set(label, []).get(label)!)[k[2]] = values[i];
  });
  const texts = new Map<string, string>();
  for (const [label, head] of heads) {
    if (typeof head === 'string') texts.set(label, head);
    const h = head as Partial<PiecesHeader> | null;
    if (typeof h?.pieces !== 'number') continue;
    const got = pieces.get(label) ?? [];
    const parts = Array.from({ length: h.pieces }, (_, i) => got[i]);
    if (!parts.every((p): p is string => typeof p === 'string')) continue;
    const text = parts.join('');
    if (text.length === h.chars) texts.set(label, text);
  }
  return texts;
}

/** Deletes run `key`'s record and its stage texts in the transaction of `stores`. */
function deleteRun({ runs, stages }: Stores, key: string): void {
  runs.delete(key);
  stages.delete(stagesOf(key));
}

/**
 * The checkpoint of the kept run `run` (stored under `key`): its text joined from the parts and the stage texts
 * stored apart, or the whole text of an older record. A CheckpointError when a stage's text is missing.
 */
export async function readKeptCheckpoint(key: string, run: KeptRun): Promise<KeptCheckpoint> {
  const parts = run.checkpoint;
  if (!parts) return { text: run.text ?? '', stageTexts: new Map() };
  const stored = await textsOf(key);
  const missing = (what: string): never => {
    throw new CheckpointError(`the kept run's ${what} is missing from this browser's storage (cleared in part?); discard the run and start it again`);
  };
  const stageTexts = new Map<string, string>();
  for (const label of parts.stages) stageTexts.set(label, stored.get(label) ?? missing(`stage '${label}'`));
  const part = (name: keyof typeof PART_LABELS): string => parts[name] ?? stored.get(PART_LABELS[name]) ?? missing(`state of the stage in progress (${name})`);
  const text = joinCheckpointParts({ before: part('before'), stages: parts.stages.map((label) => ({ label, text: stageTexts.get(label)! })), after: part('after') });
  return { text, stageTexts };
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
  await enqueue(() => withStore('readwrite', (stores) => {
    deleteRun(stores, key);
    return () => undefined;
  })).catch(() => undefined);
}

/**
 * Keeps at most `cap` kept runs once the new run `spare` is stored: forgets the oldest of the others that no
 * other tab holds (those in `mine`, held by this tab, may go) and returns them, so the caller can say so.
 * Records of another shape are neither counted nor touched; stage texts of no record (left by a record deleted
 * from outside the page) are deleted. Storage errors forget nothing.
 */
export async function forgetBeyondCap(cap: number, mine: ReadonlySet<string>, spare: string): Promise<KeptEntry[]> {
  return enqueue(async () => {
    const [entries, held] = await Promise.all([allEntries(), heldKeys()]);
    const kept = entries
      .filter((e): e is { key: string; value: KeptRun } => isKeptRun(e.value) && e.key !== spare)
      .sort((a, b) => (a.value.savedAt < b.value.savedAt ? -1 : a.value.savedAt > b.value.savedAt ? 1 : 0));
    const gone = kept.filter((e) => mine.has(e.key) || !held.has(e.key)).slice(0, Math.max(0, kept.length + 1 - cap));
    await withStore('readwrite', (stores) => {
      for (const e of gone) deleteRun(stores, e.key);
      // Keys only, read in this transaction (another tab's first save writes a record with its stages, in one).
      // The new run `spare` may have no record yet.
      const runKeys = stores.runs.getAllKeys();
      const stageKeys = stores.stages.getAllKeys();
      stageKeys.onsuccess = () => {
        const recorded = new Set(runKeys.result.map(String));
        const orphans = new Set(stageKeys.result.map((k) => String((k as [string, string])[0])).filter((run) => !recorded.has(run) && run !== spare));
        for (const run of orphans) stores.stages.delete(stagesOf(run));
      };
      return () => undefined;
    });
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
  /** The kept run to continue (a kept run resumed): its record and its checkpoint as readKeptCheckpoint read it. */
  restored?: { record: KeptRun; checkpoint: KeptCheckpoint };
  /** Characters of the longest text stored as one value (default PIECE_CHARS; tests store in small pieces). */
  pieceChars?: number;
}

/**
 * A checkpoint store for one run that keeps its text in memory (as the CLI's file, for Resume) and writes each
 * save to IndexedDB under `key` with the settings, where the checkpoint stands and the plots; it starts from
 * `restored` when the run is a kept one. Each finished stage's text is written once, as a record of its own (in
 * the same transaction as the first save that holds it). Loading the checkpoint (a resume, or a lost device's
 * fallback) puts the plots back as they were at that save, so the points the resumed run does not send again
 * stay drawn and the ones it sends again are not drawn twice. The writes are queued behind the run, which never
 * waits for storage; a save made while an earlier one still waits in the queue replaces it (the stages it
 * finished are written with the later one). The first failed write is passed to `warn`.
 */
export function keptCheckpointStore(key: string, settings: KeptSettings, o: KeptStoreOptions): KeptStore {
  const memory: KeptStore = Object.assign(memoryCheckpointStore(o.every), { record: o.restored?.record, settings });
  memory.text = o.restored?.checkpoint.text;
  const piece = o.pieceChars ?? PIECE_CHARS;
  // The stage texts IndexedDB holds for this run, by label (updated once a write has committed).
  const written = new Map(o.restored?.checkpoint.stageTexts);
  let warned = false;
  let waiting: { record: KeptRun; stages: CheckpointParts['stages'] } | undefined;
  const write = async (): Promise<void> => {
    const next = waiting;
    waiting = undefined;
    if (!next) return;
    // A stage is written when IndexedDB lacks it or holds another text under its label (the same key run afresh).
    const fresh: CheckpointParts['stages'] = [];
    for (const st of next.stages) {
      if (written.get(st.label) !== st.text) fresh.push(st);
      // The same text as another string (a resumed run encodes its stages anew): keep this one, so that later saves
      // compare it by identity instead of its megabytes.
      else written.set(st.label, st.text);
    }
    const labels = new Set(next.stages.map((st) => st.label));
    const dropped = [...written.keys()].filter((label) => !labels.has(label));
    // A part too long for the record is stored apart, and a shorter one replaces it (before and after change at every save).
    const { before, after } = next.record.checkpoint!;
    const apart = { before: before !== null && before.length > piece, after: after !== null && after.length > piece };
    const record = apart.before || apart.after
      ? { ...next.record, checkpoint: { ...next.record.checkpoint!, before: apart.before ? null : before, after: apart.after ? null : after } }
      : next.record;
    await withStore('readwrite', ({ runs, stages }) => {
      for (const st of fresh) putText(stages, key, st.label, st.text, piece);
      for (const label of dropped) deleteText(stages, key, label);
      for (const name of ['before', 'after'] as const) {
        if (apart[name]) putText(stages, key, PART_LABELS[name], next.record.checkpoint![name]!, piece);
        else deleteText(stages, key, PART_LABELS[name]);
      }
      runs.put(record, key);
      return () => undefined;
    }).then(() => {
      for (const st of fresh) written.set(st.label, st.text);
      for (const label of dropped) written.delete(label);
    }, (e: unknown) => {
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
    const { before, stages, after } = memory.parts!;
    const checkpoint = { before, stages: stages.map((st) => st.label), after };
    memory.record = { version: o.version, settings: memory.settings, checkpoint, savedAt: new Date().toISOString(), position: describePosition(state), plots };
    waiting = { record: memory.record, stages };
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
