/**
 * The runs kept in IndexedDB, as the page holds them: the run in hand (its checkpoint, which Resume continues)
 * and the list of kept runs this tab holds, each with Resume and Discard. A new run shelves the one in hand
 * into the list, and beyond MAX_KEPT_RUNS the oldest kept runs are forgotten, each named in the log.
 */
import type { BackendName } from '../backend/types.js';
import { EXPERIMENTS, findExperiment } from '../experiments/index.js';
import { VERSION } from '../version.js';
import type { PageBackends } from './backendStatus.js';
import type { RunSettings } from './experimentForm.js';
import { renderKeptList, type KeptItem } from './keptList.js';
import {
  claimKeptRun, forgetBeyondCap, forgetKeptRun, keptCheckpointStore, loadKeptRuns, newRunKey, readKeptCheckpoint,
  type KeptCheckpoint, type KeptRun, type KeptSettings, type KeptStore, type Release,
} from './keptRun.js';
import type { LivePlots } from './plot.js';

/** Training steps between the page's checkpoints (kept in memory; a stop also saves one). */
const CHECKPOINT_EVERY = 200;
/**
 * Most runs kept in IndexedDB: each holds a whole checkpoint (parameters, optimizer state, series: up to a few MB
 * at the presets; an ensemble's activations: up to about 120 MB for 20 models at the paper's scale), so five stay
 * below browsers' storage quotas, and a list of five is read at a glance.
 * A new run beyond it forgets the oldest, and says so in the log.
 */
const MAX_KEPT_RUNS = 5;

/**
 * A run in hand: its storage key, its checkpoint (in memory and IndexedDB; Resume continues from it, bit-identical
 * to a run never stopped on WASM) and this tab's claim on it (other tabs leave it alone).
 */
export interface RunInHand { key: string; store: KeptStore; release: Release }

/** What the kept runs need from the page. */
export interface KeptRunsContext {
  ui: { kept: HTMLElement; keptRuns: HTMLElement; log: HTMLElement };
  log: (message: string) => void;
  /** The live plots, which a checkpoint saves and brings back. */
  plots: LivePlots;
  backends: PageBackends;
  /** Whether a run goes (one at a time: Resume waits). */
  running: () => boolean;
  /** Runs `s`; with `resume`, from the checkpoint of the run in hand. */
  run: (s: RunSettings, resume: boolean) => Promise<void>;
}

/** The settings of a run by name, as kept in IndexedDB. */
export function keptSettings(s: RunSettings): KeptSettings {
  return { experiment: s.exp.name, preset: s.preset, config: s.config, seed: s.seed, backend: s.backend };
}

/** A kept run in one line: experiment, preset, seed, backend, where its checkpoint stands and when it was saved. */
function keptLabel(run: KeptRun): string {
  const k = run.settings;
  return `${k.experiment} (preset ${k.preset}, seed ${k.seed}, on ${k.backend}): ${run.position ?? 'a checkpoint'}, saved ${new Date(run.savedAt).toLocaleString()}`;
}

/** The run in hand and the list of kept runs, with their Resume and Discard buttons. */
export class KeptRunsPanel {
  /** The last run in this tab; null before a run and after a finished one (its checkpoint is forgotten). */
  current: RunInHand | null = null;
  /** Whether a kept run's checkpoint is being read for Resume (a second click waits for nothing). */
  private resuming = false;
  /**
   * The kept runs this tab lists (and holds), by key: from earlier visits, and this tab's runs passed over by a new
   * one (with their store, which holds the checkpoint in memory: Resume needs no storage for them).
   */
  private readonly offered = new Map<string, { run: KeptRun; release: Release; store?: KeptStore }>();

  constructor(private readonly ctx: KeptRunsContext) {}

  /** Lists every kept run no open tab holds, each claimed by this tab first (a run another tab claimed meanwhile is skipped). */
  async offerStored(): Promise<void> {
    for (const entry of await loadKeptRuns()) {
      const release = await claimKeptRun(entry.key);
      if (release) this.offered.set(entry.key, { run: entry.run, release });
    }
    this.render();
  }

  /**
   * Makes a new run the one in hand: a storage key of its own, claimed by this tab. The run it replaces stays
   * kept (listed here) when it has a checkpoint; beyond MAX_KEPT_RUNS the oldest kept runs are forgotten, each named in the log.
   */
  async startFresh(s: RunSettings): Promise<void> {
    this.shelveCurrent();
    const key = newRunKey();
    // A new key is held by no other tab: the claim is granted (null only without a usable lock manager).
    const release = (await claimKeptRun(key)) ?? (async () => {});
    this.current = { key, release, store: this.store(key, keptSettings(s)) };
    for (const gone of await forgetBeyondCap(MAX_KEPT_RUNS, new Set(this.offered.keys()), key)) {
      this.ctx.log(`forgot the kept run ${keptLabel(gone.run)}: this browser keeps at most ${MAX_KEPT_RUNS} runs, and it was the oldest`);
      const held = this.offered.get(gone.key);
      this.offered.delete(gone.key);
      await held?.release();
    }
    this.render();
  }

  /** Forgets the run `mine`, which finished (its checkpoint is of no more use), and lets other tabs go. */
  async forgetFinished(mine: RunInHand): Promise<void> {
    this.current = null;
    await forgetKeptRun(mine.key);
    await mine.release();
  }

  /** Redraws the list of kept runs (newest first); Resume is disabled while a run goes. */
  render(): void {
    const items = [...this.offered].sort(([, a], [, b]) => (a.run.savedAt < b.run.savedAt ? 1 : -1)).map(([key, o]) => this.item(key, o.run));
    renderKeptList(this.ctx.ui.kept, this.ctx.ui.keptRuns, items, this.ctx.running(), (key, action) => void (action === 'resume' ? this.resume(key) : this.discard(key)));
  }

  /** The kept run `key`'s checkpoint store, saving every CHECKPOINT_EVERY steps (from `restored` when it resumes). */
  private store(key: string, settings: KeptSettings, restored?: { record: KeptRun; checkpoint: KeptCheckpoint }): KeptStore {
    const { log, plots } = this.ctx;
    // The browser test stores texts in small pieces (window.featurelabPieceChars) to check the pieces' way without 127 MiB.
    const pieceChars = (globalThis as { featurelabPieceChars?: number }).featurelabPieceChars;
    return keptCheckpointStore(key, settings, { every: CHECKPOINT_EVERY, version: VERSION, warn: (m) => log(`warning: ${m}`), plots, restored, pieceChars });
  }

  /** Moves the run in hand to the list of kept runs when it has a checkpoint (a new run does not delete it); lets it go otherwise. */
  private shelveCurrent(): void {
    if (!this.current) return;
    const { key, store, release } = this.current;
    this.current = null;
    if (store.record) this.offered.set(key, { run: store.record, release, store });
    else void release();
  }

  /** The list's item for a kept run: why it cannot be resumed here, or on which backend it will be. */
  private item(key: string, run: KeptRun): KeptItem {
    const { backends } = this.ctx;
    const k = run.settings;
    const item: KeptItem = { key, experiment: k.experiment, text: keptLabel(run), blocked: null, note: '' };
    if (run.version !== VERSION) return { ...item, blocked: `it was saved by featurelab ${run.version}, this page is ${VERSION} (their checkpoints may differ)` };
    if (!EXPERIMENTS.some((e) => e.name === k.experiment)) return { ...item, blocked: `this page has no experiment ${k.experiment}` };
    const usable = backends.usable();
    if (!usable.includes(k.backend as BackendName)) {
      const why = k.backend === 'webgpu' && backends.gpuLost ? 'its device was lost' : backends.report.unavailable.find((u) => u.name === k.backend)?.reason ?? 'not in this page';
      const on = usable.includes('wasm') ? 'wasm' : usable[0];
      item.note = `Saved on ${k.backend}, which this page cannot use now (${why}): Resume continues it on ${on} from its checkpoint, which holds host copies of the state.`;
    }
    return item;
  }

  /**
   * Resumes the kept run `key` from its checkpoint (read from storage unless this tab holds it); the run in hand,
   * if it has one, joins the list. A checkpoint that cannot be read is said in the log, and the run stays listed.
   */
  private async resume(key: string): Promise<void> {
    const o = this.offered.get(key);
    if (!o || this.ctx.running() || this.resuming) return;
    const k = o.run.settings;
    let store = o.store;
    if (!store) {
      this.resuming = true;
      this.ctx.log(`reading the checkpoint of the kept run ${keptLabel(o.run)}…`);
      try {
        store = this.store(key, k, { record: o.run, checkpoint: await readKeptCheckpoint(key, o.run) });
      } catch (e) {
        this.ctx.log(`could not resume the kept run ${keptLabel(o.run)}: ${e instanceof Error ? e.message : String(e)}`);
        return;
      } finally {
        this.resuming = false;
      }
      // Discarded, or another run started, while the checkpoint was read.
      if (this.offered.get(key) !== o || this.ctx.running()) return;
    }
    this.shelveCurrent();
    this.offered.delete(key);
    this.current = { key, release: o.release, store };
    const exp = findExperiment(k.experiment);
    this.ctx.ui.log.textContent = '';
    this.ctx.log(`resuming the kept run ${keptLabel(o.run)}`);
    await this.ctx.run({ exp, preset: k.preset, config: k.config, seed: k.seed, backend: k.backend as BackendName }, true);
  }

  /** Forgets the kept run `key` (the user discarded it) and lets other tabs go; said in the log. */
  private async discard(key: string): Promise<void> {
    const o = this.offered.get(key);
    if (!o) return;
    this.offered.delete(key);
    this.render();
    await forgetKeptRun(key);
    await o.release();
    this.ctx.log(`discarded the kept run ${keptLabel(o.run)}`);
  }
}
