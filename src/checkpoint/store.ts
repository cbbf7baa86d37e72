/**
 * Where a run keeps its checkpoint. The store is an adapter passed in by the caller, so the experiments
 * stay free of file systems: the CLI writes a file atomically (src/cli/checkpointFiles.ts), the web page and
 * the tests keep the encoded text in memory.
 */
import { decodeCheckpoint, encodeCheckpoint, type CheckpointValue } from './codec.js';

/** A place for one run's latest checkpoint. */
export interface CheckpointStore {
  /** Training steps between checkpoints. */
  every: number;
  /** The latest saved state, or undefined when there is none. */
  load(): Promise<CheckpointValue | undefined>;
  /** Replaces the saved state by `state` (all or nothing). */
  save(state: CheckpointValue): Promise<void>;
  /**
   * True when the store writes each finished stage (`state.stages[label]`) whole on the first save that holds it
   * and never reads it from a later state (the CLI's stage files). RunCheckpoints then passes the stages' results
   * as they are; otherwise it keeps a packed copy of each for every later save (an ensemble's activations twice).
   */
  readonly writesStagesOnce?: boolean;
}

/** A store that keeps the encoded text in memory (the same exact encoding as the CLI's file). */
export function memoryCheckpointStore(every: number): CheckpointStore & { text?: string; saves: number } {
  const store = {
    every,
    text: undefined as string | undefined,
    saves: 0,
    load: async () => (store.text === undefined ? undefined : decodeCheckpoint(store.text)),
    save: async (state: CheckpointValue) => {
      store.text = encodeCheckpoint(state);
      store.saves++;
    },
  };
  return store;
}
