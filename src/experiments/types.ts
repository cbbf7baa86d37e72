/**
 * What every experiment provides (DESIGN "Experiments"): a typed config with the paper's defaults and named
 * presets, documented keys, and a `run(config, ctx)` that trains, measures and returns a result whose shape
 * is the stable contract of `result.json`.
 */
import type { Backend } from '../backend/types.js';
import type { CheckpointStore } from '../checkpoint/store.js';
import type { FileSource } from '../data/files.js';

/** A config value an experiment accepts: numbers, booleans and strings (from a fixed set). */
export type ConfigValue = number | boolean | string;

/** Documentation of one config key: what it means and, for strings, the allowed values. */
export interface ConfigKeyDoc {
  doc: string;
  choices?: readonly string[];
  /** Integers only (for numbers). */
  integer?: boolean;
  /** Smallest allowed value (numbers). */
  min?: number;
  /** The number must be greater than 0 (a rate or scale where 0 means nothing happens), on top of `min`. */
  positive?: boolean;
  /** Largest allowed value (numbers). */
  max?: number;
  /**
   * The key changes only what is measured on the trained models, not the training: a checkpoint made with
   * another value is resumed (its trained models are measured again) instead of refused.
   */
  analysisOnly?: boolean;
}

/** Progress of a running experiment. */
export interface Progress {
  /** Steps done and planned (for a progress bar with rate and ETA). */
  step: number;
  total: number;
  /** What is running, e.g. "training quadratic network". */
  phase: string;
  /** `total` is a cap the work may stop short of (training until fitted): the ETA is an upper bound. */
  atMost?: boolean;
}

/** What an experiment gets from its caller (CLI, web page, test). */
export interface ExperimentContext {
  backend: Backend;
  seed: number;
  /** Reads data files (Fashion-MNIST); absent in environments without files. */
  files?: FileSource;
  /** Called often; cheap. */
  progress?: (p: Progress) => void;
  /** Human-readable notes (printed by the CLI). */
  log?: (message: string) => void;
  /** True asks the experiment to stop early and return what it has. */
  shouldStop?: () => boolean;
  /** Where the run checkpoints its state; with a saved state in it, the run resumes (src/checkpoint/). */
  checkpoint?: CheckpointStore;
  /** Called with each metric sample as it is recorded (series name, step or epoch, value), for live plots. */
  series?: (name: string, step: number, value: number) => void;
}

/** A scalar or a small list in the summary. */
export type SummaryValue = number | boolean | string | null | (number | null)[] | string[] | Record<string, number | string | boolean | null>[]
  | Record<string, number | string | boolean | null>;

/** The result of one run (DESIGN "Result files"; the CLI adds experiment, version, config, seed, backend). */
export interface ExperimentResult {
  summary: Record<string, SummaryValue>;
  series: Record<string, (number | null)[]>;
  timings: Record<string, number>;
  warnings: string[];
  /** Extra structured data (per-neuron tables, histograms) for reports. */
  details?: Record<string, unknown>;
}

/** An experiment with config type C. */
export interface Experiment<C extends Record<string, ConfigValue>> {
  readonly name: string;
  readonly description: string;
  /** The paper's settings. */
  readonly defaults: C;
  /** Named overrides of the defaults: 'paper' (= defaults) and 'quick' at least. */
  readonly presets: Record<string, Partial<C>>;
  /** One entry per key of C. */
  readonly keys: Record<keyof C & string, ConfigKeyDoc>;
  /**
   * Rules across keys or beyond the key docs (p prime, k ≤ width, a known variant…): throws ConfigError. Called by
   * buildConfig (so a sweep refuses every bad run before the first starts) and at the start of run.
   */
  validate?(config: C): void;
  /** Trains and measures with `config` on ctx.backend; progress, logs, stop and checkpoints go through ctx. */
  run(config: C, ctx: ExperimentContext): Promise<ExperimentResult>;
}

/** An experiment of any config type (for registries). */
export type AnyExperiment = Experiment<Record<string, ConfigValue>>;
