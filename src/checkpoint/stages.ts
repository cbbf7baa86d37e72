/**
 * Checkpoints of an experiment made of stages: each training run (the quadratic then the ReLU network,
 * one ensemble member, one memorization row) is a stage with a label unique in the run. A finished stage's
 * result is kept in the checkpoint and returned on resume without running it again; the stage in progress
 * keeps the training loop's state (train.ts) and the experiment's own probe state (its series so far).
 *
 * Checkpoint layout: { stages: { label: result }, current?: { label, train, probe } }.
 */
import { CheckpointError } from '../errors.js';
import type { LoopCheckpoint, TrainState } from '../nn/train.js';
import { prepack, type CheckpointValue, type Prepacked } from './codec.js';
import type { CheckpointStore } from './store.js';

/**
 * What a stage gets: the state it resumes from, and the hook for its training loop, whose state is S (train()'s
 * TrainState, or another loop's such as a stacked ensemble group's).
 */
export interface Stage<S extends { step: number } = TrainState> {
  /** The probe state saved with the checkpoint this stage resumes from (undefined: starting afresh). */
  readonly restored: CheckpointValue | undefined;
  /** Pass as train()'s hooks.checkpoint, or the loop's (undefined when the run has no store). */
  readonly train: LoopCheckpoint<S> | undefined;
  /** Sets the experiment's state saved beside the loop's at every checkpoint (e.g. its series; plain data). */
  keep(probeState: () => unknown): void;
}

/** The stage in progress: its label, its loop's state (TrainState or another loop's, with its step) and its probe state. */
type Current = { label: string; train: { step: number } | null; probe: CheckpointValue };

/** Where a saved run state stands: the stages finished and the stage in progress with its step. */
export function checkpointPosition(saved: CheckpointValue | undefined): { finished: string[]; current?: { label: string; step: number } } | undefined {
  if (saved === undefined || saved === null || typeof saved !== 'object') return undefined;
  const s = saved as { stages?: Record<string, unknown>; current?: Current };
  const finished = Object.keys(s.stages ?? {});
  return s.current ? { finished, current: { label: s.current.label, step: s.current.train?.step ?? 0 } } : { finished };
}

/** A numbered stage label ('trained model 7') as its family ('trained model ') and index, or null. */
function numberedStage(label: string): { family: string; index: number } | null {
  const match = /^(.*?)(\d+)$/.exec(label);
  return match ? { family: match[1]!, index: Number(match[2]) } : null;
}

/** Stage labels for a log line, runs of numbered ones shortened ('trained model 0', …, 'trained model 99' → 'trained model 0–99'). */
export function listStages(labels: readonly string[]): string {
  const parts: string[] = [];
  for (let i = 0; i < labels.length;) {
    const first = numberedStage(labels[i]!);
    let j = i;
    while (first && j + 1 < labels.length) {
      const next = numberedStage(labels[j + 1]!);
      if (!next || next.family !== first.family || next.index !== first.index + (j + 1 - i)) break;
      j++;
    }
    parts.push(j > i ? `${labels[i]}–${first!.index + (j - i)}` : labels[i]!);
    i = j + 1;
  }
  return parts.join(', ');
}

/** One line for logs: where a run resumes from `saved`. */
export function describePosition(saved: CheckpointValue | undefined): string {
  const at = checkpointPosition(saved);
  if (!at) return 'the start (no checkpoint yet)';
  const done = at.finished.length > 0 ? ` (finished: ${listStages(at.finished)})` : '';
  return at.current ? `the checkpoint at step ${at.current.step} of '${at.current.label}'${done}` : `the checkpoint after the finished stages${done}`;
}

/** The checkpoints of one run; without a store every stage simply runs. */
export class RunCheckpoints {
  // Finished stages packed once: every later save stores them as they are (an ensemble's kept activations
  // would otherwise be encoded again at every checkpoint of every later member). A store that writes each
  // stage once gets the results themselves, so no packed copy is held (store.ts: writesStagesOnce).
  private readonly packedDone: Record<string, Prepacked | CheckpointValue> = {};
  // Families of numbered stages whose reuse was logged (one line per family).
  private readonly familiesReused = new Set<string>();

  private constructor(
    private readonly store: CheckpointStore | undefined,
    private readonly done: Record<string, unknown>,
    private current: Current | undefined,
    private readonly log: (message: string) => void,
  ) {
    if (store) for (const [label, result] of Object.entries(done)) this.packedDone[label] = this.forSaving(result as CheckpointValue);
  }

  /** A finished stage's result as the saves hold it: packed once, or as it is for a store that writes it once. */
  private forSaving(result: CheckpointValue): Prepacked | CheckpointValue {
    return this.store?.writesStagesOnce ? result : prepack(result);
  }

  /** Loads the store's checkpoint (if any) for a run; `log` hears where the run resumes. */
  static async open(store: CheckpointStore | undefined, log: (message: string) => void = () => {}): Promise<RunCheckpoints> {
    const saved = store ? await store.load() : undefined;
    if (saved === undefined) return new RunCheckpoints(store, {}, undefined, log);
    const s = saved as { stages?: unknown; current?: Current };
    if (!s || typeof s.stages !== 'object' || s.stages === null || Array.isArray(s.stages)) {
      throw new CheckpointError('checkpoint: the saved state has no stages; it was not written by this version — pass --fresh or another --out');
    }
    return new RunCheckpoints(store, { ...(s.stages as Record<string, unknown>) }, s.current, log);
  }

  /** The labels of the stages the checkpoint holds: the finished ones, then the one in progress (if any). */
  savedLabels(): string[] {
    return [...Object.keys(this.done), ...(this.current ? [this.current.label] : [])];
  }

  /** Saves the finished stages and, when given, the stage in progress. */
  private async save(current?: Current): Promise<void> {
    await this.store!.save({ stages: this.packedDone, ...(current ? { current } : {}) });
  }

  /**
   * The result of stage `label`: from the checkpoint when it finished in an earlier run, else from `run`
   * (resumed from the checkpoint when it was in progress). The result must be plain data (objects, arrays,
   * numbers, strings, booleans, typed arrays). A run stopped early (`stopped()` true) is not marked finished.
   */
  async stage<T, S extends { step: number } = TrainState>(label: string, run: (stage: Stage<S>) => Promise<T>, stopped: () => boolean = () => false): Promise<T> {
    if (label in this.done) {
      // Numbered stages ('trained model 0', 'trained model 1', …) are said once per family, not once per model.
      const numbered = numberedStage(label);
      const family = numbered ? `${numbered.family}…` : label;
      if (!numbered) this.log(`checkpoint: '${label}' finished in an earlier run; using its saved result`);
      else if (!this.familiesReused.has(family)) {
        this.familiesReused.add(family);
        this.log(`checkpoint: '${label}' finished in an earlier run; using its saved result (and those of the other '${family}' stages that finished)`);
      }
      return this.done[label] as T;
    }
    const resume = this.current?.label === label ? this.current : undefined;
    this.current = undefined;
    if (resume) this.log(`checkpoint: resuming '${label}' from step ${resume.train?.step ?? 0}`);
    let probeState: () => unknown = () => null;
    const store = this.store;
    const stage: Stage<S> = {
      restored: resume?.probe,
      train: store && {
        every: store.every,
        // The loop checks the state it resumes from (its shapes and ranges) and refuses one that does not fit.
        ...(resume?.train ? { resume: resume.train as S } : {}),
        save: (state: S) => this.save({ label, train: state, probe: probeState() as CheckpointValue }),
      },
      keep: (fn) => { probeState = fn; },
    };
    const result = await run(stage);
    if (store && !stopped()) {
      this.done[label] = result;
      this.packedDone[label] = this.forSaving(result as CheckpointValue);
      await this.save();
    }
    return result;
  }
}
