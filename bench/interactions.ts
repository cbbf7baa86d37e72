/**
 * Interactions benchmark: masked forward passes per second for n = 10 input variables — 2¹⁰ masked copies of
 * each of `--samples` samples (default 16) through an MLP 10-256-256-2 in one batch — on each backend, and the
 * host-side costs per sample: the fast subset transform (2¹⁰ values) and the learned AND-OR split (300 steps).
 *
 * Run: `npm run bench -- interactions [--samples=16] [--engines=wasm1,wasmN,webgpu] [--out=DIR]`.
 */
import type { Backend } from '../src/backend/types.js';
import { Tape } from '../src/autograd/tape.js';
import { andOrSplit, mobius } from '../src/metrics/harsanyi.js';
import { Mlp } from '../src/nn/mlp.js';
import { Rng } from '../src/rng.js';
import { benchOptions, errorMessage, runMain, wholeOption, writeReport } from './peers/common.js';
import { featurelabBackend } from './peers/featurelab.js';


async function main(): Promise<void> {
  const n = 10;
  const option = benchOptions(['samples', 'engines', 'out']);
  const samples = wholeOption('samples', option('samples', '16'), 1);
  const engines = option('engines', 'wasm1,wasmN,webgpu').split(',');
  const rows = samples << n;
  const rng = new Rng(1);
  const x = rng.fillNormal(new Float32Array(rows * n));
  const results: Record<string, unknown>[] = [];
  console.log(`masked forward passes: ${samples} samples × 2^${n} masks = ${rows} rows through MLP ${n}-256-256-2`);
  for (const id of engines) {
    let b: Backend | null = null;
    try {
      b = await featurelabBackend(id);
      const model = new Mlp(b, [n, 256, 256, 2], new Rng(2));
      const xm = b.upload(x, rows, n);
      const forward = async () => {
        const tape = new Tape(b!);
        try {
          await b!.read(model.forward(tape, model.params.onTape(tape), tape.input(xm)).value);
        } finally {
          tape.dispose();
        }
      };
      await forward();
      let reps = 1;
      let seconds = 0;
      for (;;) {
        const t = performance.now();
        for (let r = 0; r < reps; r++) await forward();
        seconds = (performance.now() - t) / 1000;
        if (seconds > 0.5) break;
        reps *= 2;
      }
      const perSecond = (rows * reps) / seconds;
      console.log(`  ${id.padEnd(7)} ${Math.round(perSecond).toLocaleString('en-US')} masked samples/s  (${b.description})`);
      results.push({ engine: id, description: b.description, maskedSamplesPerSecond: perSecond });
      model.params.free();
      b.free(xm);
    } catch (e) {
      console.log(`  ${id.padEnd(7)} n/a: ${errorMessage(e)}`);
      results.push({ engine: id, error: errorMessage(e) });
    } finally {
      b?.dispose();
    }
  }
  const v = Float64Array.from({ length: 1 << n }, () => rng.uniform());
  let t = performance.now();
  for (let r = 0; r < 1000; r++) mobius(v, n);
  const transformMs = (performance.now() - t) / 1000;
  t = performance.now();
  for (let r = 0; r < 5; r++) andOrSplit(v, n, { steps: 300 });
  const splitMs = (performance.now() - t) / 5;
  console.log(`subset transform, n = ${n}: ${(transformMs * 1000).toFixed(1)} µs; AND-OR split (300 steps): ${splitMs.toFixed(1)} ms per sample`);
  writeReport(option('out', 'bench/results'), 'interactions', new Date().toISOString().replace(/[:]/g, '-'), { n, samples, results, transformMs, splitMs }, 0);
}

runMain(main);
