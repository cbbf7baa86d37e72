/**
 * Threads benchmark: what the multi-threaded WASM GEMM makes of the cores the machine gives at this moment.
 * Each round times, in a rotating order, on the same shapes:
 *   - `1 thread`: one product on `createWasmBackend({ threads: 1 })` (the main thread);
 *   - `T at once`: T independent one-thread products at the same time, one on the main thread and one in each
 *     of T − 1 worker threads, each worker with its own one-thread backend — the throughput T cores give to
 *     work that needs no cooperation (T = the team's thread count);
 *   - `team`: one product on `createWasmBackend({ threads: 'auto' })`, all T threads on it (matmulF32Team).
 * The ratios are per round, then the median over rounds, so that all three see the same moments of the host:
 * on a shared VM the speed of a vCPU moves by 1.5× within seconds, and the matmul benchmark's cells (about half
 * a second each, engine after engine) compare different moments. `team / 1 thread` is issue 2's target (≥ 1.8
 * on 2 cores at n ≥ 1024); `T at once / 1 thread` is how many cores' worth the box gave; `team / T at once` is
 * the team GEMM's efficiency against that ceiling.
 *
 * Run: `npm run bench -- threads [--sizes=1024,2048] [--rounds=15] [--training=yes|no] [--out=DIR]`.
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { createWasmBackend } from '../src/backend/wasm/wasmBackend.js';
import type { Backend, Mat } from '../src/backend/types.js';
import {
  BenchUsageError, type MatmulCase, benchOptions, median, runMain, seededOperand, squareCases, storedShapes, trainingCases,
  wholeOption, writeReport,
} from './peers/common.js';

/** The training shapes big enough to be split over threads (the 512×10 layer's products are not). */
const TRAINING_MIN_MACS = 1 << 24;
/** Rounds before the timed ones (compilation tiers, heap growth, the workers' first wake-up). */
const WARM_ROUNDS = 2;

/** Control words shared with the workers (Int32Array indices). */
const GO = 0; // bumped by the main thread to start one product in every worker
const CASE = 1; // the case index for that product, or −1 to quit
const DONE = 2; // workers that finished the current product
const FAILED = 3; // non-zero once a worker failed (its message follows by postMessage)
const TIMES = 4; // then per worker: its last product's time in µs

/** A product prepared on one backend, timed by `once()` (which waits for it, reading back one element). */
interface Prepared {
  once(): number;
  /** The product's whole result. */
  result(): Promise<Float32Array>;
  free(): void;
}

/** Uploads case `c`'s operands (the same seeded data everywhere) and returns a timer of one product. */
function prepare(backend: Backend, c: MatmulCase): Prepared {
  const { a: as, b: bs } = storedShapes(c);
  const a = backend.upload(seededOperand(as[0] * as[1], 1), as[0], as[1]);
  const b = backend.upload(seededOperand(bs[0] * bs[1], 2), bs[0], bs[1]);
  const first = backend.upload([0], 1, 1);
  return {
    once() {
      const t0 = performance.now();
      const out = backend.matmul(a, b, { transA: c.transA, transB: c.transB });
      // WASM runs the product synchronously; reading one element back is what a caller waits for.
      const row: Mat = backend.gatherRows(out, first);
      void backend.read(row);
      const ms = performance.now() - t0;
      backend.free(out, row);
      return ms;
    },
    async result() {
      const out = backend.matmul(a, b, { transA: c.transA, transB: c.transB });
      try {
        return await backend.read(out);
      } finally {
        backend.free(out);
      }
    },
    free() {
      backend.free(a, b, first);
    },
  };
}

/** A worker: its own one-thread backend; runs one product of the case the main thread names, when told to. */
async function workerMain(): Promise<void> {
  const { cases, control, slot } = workerData as { cases: MatmulCase[]; control: SharedArrayBuffer; slot: number };
  const ctl = new Int32Array(control);
  try {
    const backend = await createWasmBackend({ threads: 1 });
    const prepared = cases.map((c) => prepare(backend, c));
    parentPort!.postMessage({ ready: true });
    let seen = 0;
    for (;;) {
      Atomics.wait(ctl, GO, seen);
      seen = Atomics.load(ctl, GO);
      const index = Atomics.load(ctl, CASE);
      if (index < 0) break;
      const ms = prepared[index]!.once();
      Atomics.store(ctl, TIMES + slot, Math.round(ms * 1000));
      Atomics.add(ctl, DONE, 1);
    }
    backend.dispose();
  } catch (e) {
    Atomics.store(ctl, FAILED, 1);
    Atomics.add(ctl, DONE, 1);
    parentPort!.postMessage({ error: e instanceof Error ? e.message : String(e) });
  }
}

/** T − 1 workers, each with its own one-thread backend and every case prepared. */
class IndependentWorkers {
  private readonly ctl: Int32Array;
  private readonly workers: Worker[] = [];
  private failure: string | null = null;

  private constructor(count: number) {
    this.ctl = new Int32Array(new SharedArrayBuffer((TIMES + count) * 4));
  }

  static async start(count: number, cases: MatmulCase[]): Promise<IndependentWorkers> {
    const w = new IndependentWorkers(count);
    const ready = [];
    for (let i = 0; i < count; i++) {
      const worker = new Worker(new URL(import.meta.url), { workerData: { cases, control: w.ctl.buffer, slot: i } });
      w.workers.push(worker);
      ready.push(new Promise<void>((resolve, reject) => {
        worker.on('message', (m: { ready?: boolean; error?: string }) => {
          if (m.error) {
            w.failure = m.error;
            reject(new Error(`threads bench: a worker failed: ${m.error}`));
          } else if (m.ready) resolve();
        });
        worker.once('error', reject);
      }));
    }
    await Promise.all(ready);
    return w;
  }

  /**
   * Runs case `index` on the main thread's `own` product and one product in every worker, all at once; returns
   * each thread's own product time (ms, the main thread's first).
   */
  runTogether(index: number, own: Prepared): number[] {
    const ctl = this.ctl;
    Atomics.store(ctl, DONE, 0);
    Atomics.store(ctl, CASE, index);
    Atomics.add(ctl, GO, 1);
    Atomics.notify(ctl, GO);
    const mine = own.once();
    // Spin rather than sleep, so that the main thread does not give its core away while a worker still runs.
    while (Atomics.load(ctl, DONE) < this.workers.length) { /* wait for the workers' products */ }
    if (Atomics.load(ctl, FAILED) !== 0) throw new Error(`threads bench: a worker failed${this.failure ? `: ${this.failure}` : ''}`);
    return [mine, ...this.workers.map((_, i) => Atomics.load(ctl, TIMES + i) / 1000)];
  }

  async stop(): Promise<void> {
    Atomics.store(this.ctl, CASE, -1);
    Atomics.add(this.ctl, GO, 1);
    Atomics.notify(this.ctl, GO);
    await Promise.all(this.workers.map((w) => new Promise((resolve) => w.once('exit', resolve))));
  }
}

async function main(): Promise<void> {
  const option = benchOptions(['sizes', 'rounds', 'training', 'out']);
  const sizes = option('sizes', '1024,2048').split(',').map((s) => wholeOption('sizes', s, 1));
  const rounds = wholeOption('rounds', option('rounds', '15'), 1);
  const training = option('training', 'yes');
  if (training !== 'yes' && training !== 'no') throw new BenchUsageError(`--training needs yes or no, got '${training}'`);
  const cases = [
    ...squareCases(sizes),
    ...(training === 'yes' ? trainingCases().filter((c) => c.m * c.n * c.k >= TRAINING_MIN_MACS) : []),
  ];
  const t0 = performance.now();

  const one = await createWasmBackend({ threads: 1 });
  const team = await createWasmBackend({ threads: 'auto' });
  const threads = team.threads;
  if (threads < 2) {
    // Nothing to compare on one core (or without workers): say so and record it, as the matmul bench's n/a cells do.
    const reason = `the team backend has 1 thread (${team.description}); this benchmark needs a machine with 2 or more cores and worker threads`;
    console.log(`threads bench: not measured: ${reason}`);
    one.dispose();
    team.dispose();
    writeReport(option('out', 'bench/results'), 'threads', new Date().toISOString(), { threads, notMeasured: reason }, (performance.now() - t0) / 1000);
    return;
  }
  const workers = await IndependentWorkers.start(threads - 1, cases);
  console.log(`1 thread: ${one.description}\nteam:     ${team.description}\n${threads} at once: the 1-thread backend on the main thread + ${threads - 1} worker${threads > 2 ? 's' : ''}, each with its own 1-thread backend`);
  console.log(`${rounds} rounds per shape after ${WARM_ROUNDS} warm-up rounds; each round times the three in a rotating order; ratios are per round, then the median\n`);

  const header = ['shape', '1 thread', `${threads} at once`, 'team', `at once/1`, 'team/1', 'team/at once', 'rounds team/1 ≥ 1.8'];
  console.log(header.join(' | '));
  const rows: Record<string, unknown>[] = [];
  for (let ci = 0; ci < cases.length; ci++) {
    const c = cases[ci]!;
    const flop = 2 * c.m * c.n * c.k;
    const solo = prepare(one, c);
    const joint = prepare(team, c);
    // Per round: ms of the one-thread product, of the team product, and each thread's ms when all ran at once.
    const oneMs: number[] = [], teamMs: number[] = [], togetherMs: number[][] = [];
    const runs = [
      (timed: boolean) => { const ms = solo.once(); if (timed) oneMs.push(ms); },
      (timed: boolean) => { const ms = workers.runTogether(ci, solo); if (timed) togetherMs.push(ms); },
      (timed: boolean) => { const ms = joint.once(); if (timed) teamMs.push(ms); },
    ];
    for (let r = 0; r < WARM_ROUNDS + rounds; r++) {
      for (let i = 0; i < runs.length; i++) runs[(r + i) % runs.length]!(r >= WARM_ROUNDS);
    }
    // The team must give one thread's bits (the tests check it too); a benchmark of a wrong product is no figure.
    const [want, got] = [new Uint32Array((await solo.result()).buffer), new Uint32Array((await joint.result()).buffer)];
    const same = want.length === got.length && want.every((x, i) => x === got[i]);
    solo.free();
    joint.free();
    if (!same) throw new Error(`threads bench: ${c.label}: the team's result differs from one thread's; this is a bug`);
    // The threads' throughput at once is the sum of their rates: a thread that finished early could have gone on.
    const togetherRate = togetherMs.map((ms) => ms.reduce((sum, x) => sum + 1 / x, 0)); // products per ms
    const perRound = oneMs.map((ms1, r) => ({
      together: ms1 * togetherRate[r]!,
      team: ms1 / teamMs[r]!,
      efficiency: 1 / (teamMs[r]! * togetherRate[r]!),
    }));
    const gflops = (productsPerMs: number): number => (productsPerMs * flop) / 1e6;
    const row = {
      label: c.label, bitIdentical: same, m: c.m, n: c.n, k: c.k, transA: c.transA, transB: c.transB,
      oneThreadGflops: gflops(1 / median(oneMs)),
      togetherGflops: gflops(median(togetherRate)),
      teamGflops: gflops(1 / median(teamMs)),
      togetherOverOne: median(perRound.map((p) => p.together)),
      teamOverOne: median(perRound.map((p) => p.team)),
      teamOverTogether: median(perRound.map((p) => p.efficiency)),
      roundsTeamAtLeast1_8: perRound.filter((p) => p.team >= 1.8).length,
      ms: { oneThread: oneMs, team: teamMs, together: togetherMs },
    };
    rows.push(row);
    console.log([
      c.label, row.oneThreadGflops.toFixed(1), row.togetherGflops.toFixed(1), row.teamGflops.toFixed(1),
      row.togetherOverOne.toFixed(2), row.teamOverOne.toFixed(2), row.teamOverTogether.toFixed(2), `${row.roundsTeamAtLeast1_8}/${rounds}`,
    ].join(' | '));
  }
  await workers.stop();
  one.dispose();
  team.dispose();

  const targeted = rows.filter((r) => r.m === r.n && r.n === r.k && (r.n as number) >= 1024);
  const met = targeted.filter((r) => (r.teamOverOne as number) >= 1.8).length;
  console.log(`\nGFLOP/s: medians over the rounds (${threads} at once: the sum of the ${threads} threads' rates). Ratios: medians of the per-round ratios.`);
  if (targeted.length) {
    console.log(`target team/1 ≥ 1.8 at n ≥ 1024: ${met} of ${targeted.length} square shapes; the box gave ${targeted.map((r) => (r.togetherOverOne as number).toFixed(2)).join(', ')} cores' worth (${threads} at once / 1) on them`);
  }
  writeReport(option('out', 'bench/results'), 'threads', new Date().toISOString(), {
    threads, oneThread: `wasm: ${one.description}`, team: `wasm: ${team.description}`, rounds, warmRounds: WARM_ROUNDS,
    method: 'per round, in a rotating order: one product on 1 thread; T independent 1-thread products at once (main + T−1 workers; their throughput is the sum of the threads\' rates); one product on the T-thread team; ratios per round, then the median',
    rows,
  }, (performance.now() - t0) / 1000);
}

if (isMainThread) runMain(main);
else void workerMain();
