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
 * `state` encoded as encodeCheckpoint would, with each finished stage (`state.stages[label]`) encoded once: its
 * text is kept in `stageTexts` for as long as later states hold the same value (the same object), and the whole
 * text is joined from the pieces. Without that, every save would encode every finished stage again.
 */
function encodeWithStages(state: CheckpointValue, stageTexts: Map<string, { value: CheckpointValue; text: string }>): string {
  const isPlain = (v: unknown): v is Record<string, CheckpointValue | undefined> => v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype;
  // Anything else, including the reserved key, goes through the codec (with its errors).
  if (!isPlain(state) || !isPlain(state.stages) || TAG in state || TAG in state.stages) return encodeCheckpoint(state);
  const stages = state.stages;
  // Joined with +, not join(): V8 links the pieces (a rope) instead of copying the whole text at every save.
  let joined = '';
  for (const [label, value] of Object.entries(stages)) {
    if (value === undefined) continue; // as JSON leaves it out
    let kept = stageTexts.get(label);
    if (kept?.value !== value) {
      kept = { value, text: encodeCheckpoint(value) };
      stageTexts.set(label, kept);
    }
    joined += (joined === '' ? '' : ',') + JSON.stringify(label) + ':' + kept.text;
  }
  for (const label of stageTexts.keys()) if (!(label in stages)) stageTexts.delete(label);
  // The other keys (the stage in progress) are small: encoded whole, in the state's key order.
  let text = '';
  for (const [key, value] of Object.entries(state)) {
    if (value === undefined) continue;
    text += (text === '' ? '' : ',') + JSON.stringify(key) + ':' + (key === 'stages' ? '{' + joined + '}' : encodeCheckpoint(value));
  }
  return '{' + text + '}';
}

/**
 * A store that keeps the encoded text in memory (the same exact encoding as the CLI's file). Each finished stage
 * is encoded once (encodeWithStages), so saves cost the stage in progress, not the whole run so far.
 */
export function memoryCheckpointStore(every: number): CheckpointStore & { text?: string; saves: number } {
  const stageTexts = new Map<string, { value: CheckpointValue; text: string }>();
  const store = {
    every,
    writesStagesOnce: true,
    text: undefined as string | undefined,
    saves: 0,
    load: async () => (store.text === undefined ? undefined : decodeCheckpoint(store.text)),
    save: async (state: CheckpointValue) => {
      store.text = encodeWithStages(state, stageTexts);
      store.saves++;
    },
  };
  return store;
}
