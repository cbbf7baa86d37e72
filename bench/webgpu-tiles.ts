/**
 * WebGPU matmul tuning: GFLOP/s of every matmul variant worth trying on a real GPU (register-blocked tiles;
 * workgroup-tiled with tile 64 or 128, K step 16 or 32, split-K, prefetch on and off) on the matmul
 * benchmark's shapes, next to what `pickMatmulVariant` chooses, so the picker in
 * src/backend/webgpu/matmulVariant.ts can follow measurements on a real GPU. Each variant is forced with
 * `createWebGpuBackend(gpu, { matmulVariant })`; every result is checked against an f64 product first.
 *
 * Run: `npm run bench -- webgpu-tiles [options]`. On a software adapter (SwiftShader) the tiled kernel is not
 * what runs, so the bench says so and stops unless --force. Options:
 *   --sizes=256,512,…   square sizes (default 128…4096)     --no-training   skip the MLP shapes
 *   --splits=1,2,4,…     split-K factors (default 1,2,4,8,16)   --target=S   timed seconds per cell (0.1)
 *   --force              run on a software adapter too       --out=DIR    results folder (bench/results)
 *   --only=t128k16/s1n,…  time only these variants (labels as printed) besides the picked one
 */
import { createWebGpuBackend } from '../src/backend/webgpu/webgpuBackend.js';
import { type MatmulVariant, pickMatmulVariant, vec4Alignment } from '../src/backend/webgpu/matmulVariant.js';
import { backendEngine } from './peers/featurelab.js';
import { BenchUsageError, type MatmulCase, errorMessage, runMain, sampledRelativeError, seededOperand, setupNodeGpu, squareCases, storedShapes, trainingCases, writeReport } from './peers/common.js';

interface Options {
  sizes: number[];
  training: boolean;
  splits: number[];
  target: number;
  force: boolean;
  out: string;
  only: string[] | null;
}

function parseOptions(argv: string[]): Options {
  const o: Options = { sizes: [128, 256, 512, 1024, 2048, 4096], training: true, splits: [1, 2, 4, 8, 16], target: 0.1, force: false, out: 'bench/results', only: null };
  const nums = (v: string): number[] => v.split(',').filter(Boolean).map((x) => {
    const n = Number(x);
    if (!Number.isInteger(n) || n < 1) throw new BenchUsageError(`expected positive integers, got ${v}`);
    return n;
  });
  for (const arg of argv) {
    const [key, value = ''] = arg.replace(/^--/, '').split('=', 2) as [string, string?];
    switch (key) {
      case 'sizes': o.sizes = nums(value); break;
      case 'splits': o.splits = nums(value); break;
      case 'no-training': o.training = false; break;
      case 'target': o.target = Number(value); break;
      case 'force': o.force = true; break;
      case 'out': o.out = value; break;
      case 'only': o.only = value.split(',').filter(Boolean); break;
      default: throw new BenchUsageError(`unknown option ${arg} (see the header of bench/webgpu-tiles.ts)`);
    }
  }
  return o;
}

/** Fewest products per timed sample. */
const MIN_REPS = 16;

/** Short name of a variant: t<tile>k<TK>/s<split> (suffix n: no prefetch), r<rows>x<cols>[b<rb><cb>] (blocks per thread), simple. */
const label = (v: MatmulVariant): string => {
  switch (v.kernel) {
    case 'tiled': return `t${8 * v.wg}k${v.tk}/s${v.split}${v.prefetch ? '' : 'n'}`;
    case 'regblock': return `r${4 * v.rb * v.wy}x${4 * v.cb * v.wx}${v.rb * v.cb > 1 ? `b${v.rb}${v.cb}` : ''}`;
    default: return v.kernel;
  }
};

/** The variants timed for one shape: register-blocked tiles, and tiled ones over tile, K step, split and prefetch. */
function candidates(c: MatmulCase, splits: number[]): MatmulVariant[] {
  const { vecA, vecB } = vec4Alignment(c);
  const out: MatmulVariant[] = [];
  for (const [wx, wy, rb, cb] of [[8, 8, 1, 1], [16, 16, 1, 1], [16, 8, 1, 1], [8, 16, 1, 1], [8, 8, 2, 2], [16, 16, 2, 2]] as const) {
    out.push({ kernel: 'regblock', vecA, vecB, wx, wy, rb, cb });
  }
  // Enough 128×128 tiles to fill the GPU: splitting K only adds a pass, so only 1 and 2 are timed.
  const many = Math.ceil(c.m / 128) * Math.ceil(c.n / 128) >= 128;
  // K step 16 with and without prefetch on both tiles; K step 32 (prefetch on) on the 128×128 tile.
  const tiles: [number, number, boolean][] = [[8, 16, true], [8, 16, false], [16, 16, true], [16, 16, false], [16, 32, true]];
  for (const [wg, tk, prefetch] of tiles) {
    for (const split of splits) {
      if (split > 1 && (c.k / split < 2 * tk || (many && split > 2))) continue;
      out.push({ kernel: 'tiled', vecA, vecB, wg, tk, split, prefetch });
    }
  }
  return out;
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const { gpu, ok, adapter } = await setupNodeGpu();
  if (!ok) throw new Error(adapter);
  const probe = await createWebGpuBackend(gpu);
  const kind = probe.adapterKind;
  probe.dispose();
  console.log(`WebGPU adapter (Dawn): ${adapter} — ${kind}`);
  if (kind === 'software' && !o.force) {
    console.log('software adapter: the tiled kernel is not what runs here (the register-blocked one is); pass --force to time it anyway');
    return;
  }
  let forced: MatmulVariant | null = null;
  const backend = await createWebGpuBackend(gpu, { matmulVariant: (shape, k) => forced ?? pickMatmulVariant(shape, k) });
  const engine = backendEngine(backend, backend.description);
  const cases = [...squareCases(o.sizes), ...(o.training ? trainingCases() : [])];
  const rows: { label: string; picked: string; pickedGflops: number | null; cells: Record<string, number | string> }[] = [];
  for (const [ci, c] of cases.entries()) {
    const { a: as, b: bs } = storedShapes(c);
    const a = seededOperand(as[0] * as[1], 2 * ci + 1);
    const b = seededOperand(bs[0] * bs[1], 2 * ci + 2);
    const prep = await engine.prepare(c, a, b);
    const variants: (MatmulVariant | null)[] = [null, ...candidates(c, o.splits).filter((v) => !o.only || o.only.includes(label(v)))];
    const cells: Record<string, number | string> = {};
    let pickedGflops: number | null = null;
    for (const v of variants) {
      forced = v;
      const name = v ? label(v) : 'picked';
      try {
        const err = sampledRelativeError(c, a, b, await prep.result());
        if (!(err < 1e-4)) {
          cells[name] = `wrong (${err.toExponential(1)})`;
          continue;
        }
        // Warm-up of at least 50 ms: the GPU leaves its idle clocks (an H200 idles at 345 MHz) before timing.
        const warm = performance.now();
        while (performance.now() - warm < 50) await prep.run(8);
        // At least MIN_REPS products per sample: each sample ends by reading a row of the last result back,
        // a sync whose latency would otherwise weigh on the small shapes.
        let reps = MIN_REPS;
        for (;;) {
          const t = performance.now();
          await prep.run(reps);
          const dt = (performance.now() - t) / 1000;
          if (dt >= o.target / 3 || reps >= 4096) break;
          reps = Math.min(4096, Math.max(reps * 2, Math.ceil((reps * o.target) / 3 / Math.max(dt, 1e-6))));
        }
        const times: number[] = [];
        for (let r = 0; r < 3; r++) {
          const t = performance.now();
          await prep.run(reps);
          times.push((performance.now() - t) / 1000 / reps);
        }
        times.sort((x, y) => x - y);
        const gflops = (2 * c.m * c.n * c.k) / times[1]! / 1e9;
        cells[name] = +gflops.toFixed(1);
        if (!v) pickedGflops = gflops;
      } catch (e) {
        cells[name] = `failed: ${errorMessage(e)}`;
      }
    }
    forced = null;
    prep.free();
    const picked = label(pickMatmulVariant(c, kind));
    rows.push({ label: c.label, picked, pickedGflops, cells });
    const best = Object.entries(cells).filter(([k, x]) => k !== 'picked' && typeof x === 'number').sort((x, y) => (y[1] as number) - (x[1] as number))[0];
    const ratio = best && pickedGflops ? (pickedGflops / (best[1] as number)).toFixed(2) : '–';
    console.log(`${c.label.padEnd(30)} picked ${picked.padEnd(8)} ${String(cells.picked).padStart(8)}  best ${best ? `${best[0]} ${best[1]}` : '–'}  picked/best ${ratio}`);
    console.log(`  ${Object.entries(cells).filter(([k]) => k !== 'picked').map(([k, x]) => `${k}=${x}`).join('  ')}`);
  }
  await engine.dispose();
  const stamp = new Date().toISOString().replace(/[:]/g, '-');
  writeReport(o.out, 'webgpu-tiles', stamp, { adapter, kind, options: o, rows }, 0);
}

runMain(main);
