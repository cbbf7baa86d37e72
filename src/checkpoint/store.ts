/**
 * Where a run keeps its checkpoint. The store is an adapter passed in by the caller, so the experiments
 * stay free of file systems: the CLI writes a file atomically (src/cli/checkpointFiles.ts), the web page and
 * the tests keep the encoded text in memory.
 */
import { TAG, decodeCheckpoint, encodeCheckpoint, type CheckpointValue } from './codec.js';

/** A place for one run's latest checkpoint. */
export interface CheckpointStore {
  /** Training steps between checkpoints. */
  every: number;
  /** The latest saved state, or undefined when there is none. */
  load(): Promise<CheckpointValue | undefined>;
  /** Replaces the saved state by `state` (all or nothing). */
  save(state: CheckpointValue): Promise<void>;
  /**
   * True when what the store keeps of a finished stage (`state.stages[label]`) is fixed at the first save that
   * holds it, which encodes it once (the CLI's stage files; the memory store's texts per stage). RunCheckpoints
   * then passes the stages' results as they are; otherwise it keeps a packed copy of each for every later save
   * (an ensemble's activations held twice).
   */
  readonly writesStagesOnce?: boolean;
}

/**
 * A checkpoint's text in pieces: `before`, then each finished stage (`state.stages[label]`) as `"label":text`,
 * comma-separated, then `after`. A store can keep the stages' texts apart (the web page writes each to IndexedDB
 * once) and join them again with joinCheckpointParts.
 */
export interface CheckpointParts {
  before: string;
  stages: { label: string; text: string }[];
  after: string;
}

/** The text `parts` stand for (encodeCheckpoint's text of the state they came from); joined with +, see below. */
export function joinCheckpointParts(parts: CheckpointParts): string {
  // Joined with +, not join(): V8 links the pieces (a rope) instead of copying the whole text at every save.
  let text = parts.before;
  parts.stages.forEach(({ label, text: stage }, i) => { text += (i === 0 ? '' : ',') + JSON.stringify(label) + ':' + stage; });
  return text + parts.after;
}

/**
 * `state` encoded as encodeCheckpoint would, in parts, with each finished stage (`state.stages[label]`) encoded
 * once: its text is kept in `stageTexts` for as long as later states hold the same value (the same object).
 * Without that, every save would encode every finished stage again.
 */
function encodeInParts(state: CheckpointValue, stageTexts: Map<string, { value: CheckpointValue; text: string }>): CheckpointParts {
  const isPlain = (v: unknown): v is Record<string, CheckpointValue | undefined> => v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype;
  // Anything else, including the reserved key, goes through the codec (with its errors) as one piece.
  if (!isPlain(state) || !isPlain(state.stages) || TAG in state || TAG in state.stages) return { before: encodeCheckpoint(state), stages: [], after: '' };
  const stages: CheckpointParts['stages'] = [];
  for (const [label, value] of Object.entries(state.stages)) {
    if (value === undefined) continue; // as JSON leaves it out
    let kept = stageTexts.get(label);
    if (kept?.value !== value) {
      kept = { value, text: encodeCheckpoint(value) };
      stageTexts.set(label, kept);
    }
    stages.push({ label, text: kept.text });
  }
  for (const label of stageTexts.keys()) if (!(label in state.stages)) stageTexts.delete(label);
  // The other keys (the stage in progress) are small: encoded whole, in the state's key order, before or after 'stages'.
  const head: string[] = [];
  const tail: string[] = [];
  let into = head;
  for (const [key, value] of Object.entries(state)) {
    if (value === undefined) continue;
    if (key === 'stages') into = tail;
    else into.push(JSON.stringify(key) + ':' + encodeCheckpoint(value));
  }
  return { before: '{' + head.map((entry) => entry + ',').join('') + '"stages":{', stages, after: '}' + tail.map((entry) => ',' + entry).join('') + '}' };
}

/**
 * A store that keeps the encoded text in memory (the same exact encoding as the CLI's file). Each finished stage
 * is encoded once (encodeInParts), so saves cost the stage in progress, not the whole run so far.
 */
export function memoryCheckpointStore(every: number): CheckpointStore & { text?: string; parts?: CheckpointParts; saves: number } {
  const stageTexts = new Map<string, { value: CheckpointValue; text: string }>();
  const store = {
    every,
    writesStagesOnce: true,
    text: undefined as string | undefined,
    /** The last save's text in parts (undefined before the first save). */
    parts: undefined as CheckpointParts | undefined,
    saves: 0,
    load: async () => (store.text === undefined ? undefined : decodeCheckpoint(store.text)),
    save: async (state: CheckpointValue) => {
      store.parts = encodeInParts(state, stageTexts);
      store.text = joinCheckpointParts(store.parts);
      store.saves++;
    },
  };
  return store;
}
