/**
 * Where the WebGPU matmul's time goes on a real GPU: throughput ceilings of the pieces of
 * shaders/matmul_tiled.wgsl, each timed alone, next to the real product.
 *
 * Issue 2 asks for 2× TensorFlow.js-webgpu, which at n = 4096 on an H100 means about 69 % of the fp32 peak; the
 * kernel reaches about 45 %. These probes say which piece sets the limit, so a GPU session can aim at it:
 *   fma             independent fused multiply-adds in registers only: what Dawn's shaders reach at all
 *   tile RxC        the kernel's inner loop alone (R×C outputs per thread, 16×16 threads, K step 16): the vec4
 *                   loads of op(A) and op(B) from workgroup memory and the multiply-adds, no barriers
 *   tile RxC staged the same with the slabs written to workgroup memory and two barriers per K step, as the
 *                   kernel does, but from registers instead of global memory
 *   proto RxC n     a whole product n×n·n×n from the same pieces, global reads included, without the kernel's
 *                   edges, transposes and epilogue (checked against an f64 product first)
 *   matmul n        featurelab's product n×n·n×n (the picked kernel)
 * 8x8 is the kernel's layout; 16x8 and 8x16 (256×128 and 128×256 tiles) ask whether a larger thread tile would
 * raise the ceiling.
 * GFLOP/s count 2 per multiply-add, and each row also says its share of the fma row.
 *
 * Run: `npm run bench -- webgpu-ceiling [options]`. On a software adapter it stops unless --force (then it only
 * checks that the probes run). Options:
 *   --sizes=2048,4096   matmul sizes (default 4096)          --target=S     seconds per timed sample (0.2)
 *   --workgroups=N      workgroups per probe dispatch (2048) --warmup=S     GPU warm-up before timing (1)
 *   --force             run on a software adapter too        --out=DIR      results folder (bench/results)
 *   --print             print each probe's WGSL and stop
 */
import { createWebGpuBackend } from '../src/backend/webgpu/webgpuBackend.js';
import { backendEngine } from './peers/featurelab.js';
import { BenchUsageError, errorMessage, runMain, sampledRelativeError, seededOperand, setupNodeGpu, squareCases, writeReport } from './peers/common.js';

interface Options {
  sizes: number[];
  target: number;
  workgroups: number;
  warmup: number;
  force: boolean;
  out: string;
  print: boolean;
}

function parseOptions(argv: string[]): Options {
  const o: Options = { sizes: [4096], target: 0.2, workgroups: 2048, warmup: 1, force: false, out: 'bench/results', print: false };
  const positive = (key: string, v: string): number => {
    const n = Number(v);
    if (!(n > 0)) throw new BenchUsageError(`--${key} needs a positive number, got '${v}'`);
    return n;
  };
  for (const arg of argv) {
    const [key, value = ''] = arg.replace(/^--/, '').split('=', 2) as [string, string?];
    switch (key) {
      case 'sizes': o.sizes = value.split(',').filter(Boolean).map((x) => Math.round(positive(key, x))); break;
      case 'target': o.target = positive(key, value); break;
      case 'workgroups': o.workgroups = Math.round(positive(key, value)); break;
      case 'warmup': o.warmup = Number(value); if (!(o.warmup >= 0)) throw new BenchUsageError(`--warmup needs seconds ≥ 0, got '${value}'`); break;
      case 'force': o.force = true; break;
      case 'out': o.out = value; break;
      case 'print': o.print = true; break;
      default: throw new BenchUsageError(`unknown option ${arg} (see the header of bench/webgpu-ceiling.ts)`);
    }
  }
  return o;
}

/** Threads per workgroup of every probe (16×16, as the kernel's 128×128 tile). */
const WG = 16;
/** K step of the tile probes (the picked kernel's). */
const TK = 16;
/** Independent vec4 chains per thread in the fma probe (64 multiply-adds in flight). */
const FMA_CHAINS = 16;

/** One probe: its WGSL (entry `main`, bindings seed / out / params) and its multiply-adds per thread per iteration. */
interface Probe {
  name: string;
  code: string;
  fmasPerIteration: number;
}

const PROBE_HEADER = `
struct Params { iters: u32, zero: u32, }
@group(0) @binding(0) var<storage, read> seed: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> out: array<vec4<f32>>;
@group(0) @binding(2) var<uniform> p: Params;
`;

/** Register-only multiply-adds: FMA_CHAINS independent vec4 chains, `iters` steps each. */
function fmaProbe(): Probe {
  const chains = Array.from({ length: FMA_CHAINS }, (_, i) => i);
  const code = `${PROBE_HEADER}
@compute @workgroup_size(${WG * WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  let g = wid.x * ${WG * WG}u + t;
  let x = seed[0];
  let y = seed[1];
${chains.map((i) => `  var c${i} = seed[2] + vec4<f32>(f32(g + ${i}u));`).join('\n')}
  for (var it = 0u; it < p.iters; it++) {
${chains.map((i) => `    c${i} = fma(c${i}, x, y);`).join('\n')}
  }
  out[g] = ${chains.map((i) => `c${i}`).join(' + ')};
}`;
  return { name: 'fma', code, fmasPerIteration: 4 * FMA_CHAINS };
}

/** A thread tile of 4·rq rows × 4·cq columns in a 16×16 workgroup: the workgroup tile and its slabs. */
interface TileShape {
  rq: number;
  cq: number;
  /** K step. */
  tk: number;
  /** Workgroup tile rows BM = 4·rq·WG and columns BN = 4·cq·WG, and both over 4 (vec4s per k in a slab). */
  bm: number;
  bn: number;
  bm4: number;
  bn4: number;
  /** Slab vec4s each thread stages per K step, of op(A) and of op(B). */
  perA: number;
  perB: number;
  /** vec4 accumulators per thread. */
  accs: number;
}

function tileShape(rq: number, cq: number, tk = TK): TileShape {
  const bm4 = rq * WG;
  const bn4 = cq * WG;
  return { rq, cq, tk, bm: 4 * bm4, bn: 4 * bn4, bm4, bn4, perA: (tk * bm4) / (WG * WG), perB: (tk * bn4) / (WG * WG), accs: 4 * rq * cq };
}

/**
 * The kernel's compute step: TK times, rq + cq vec4 reads from workgroup memory and 16·rq·cq multiply-adds.
 * As[k·(BM/4) + i] holds rows 4i…4i+3 of op(A) at k, Bs[k·(BN/4) + j] columns 4j…4j+3 of op(B), as in
 * matmul_tiled.wgsl; the thread's rows are q·4·WG + 4·lid.y + 0…3 (q < rq), its columns c·4·WG + 4·lid.x + 0…3.
 * `off` is added to every read index.
 */
function computeStep(g: TileShape, off: string): string {
  const lines: string[] = [];
  for (let q = 0; q < g.rq; q++) lines.push(`a${q} = As[kk * ${g.bm4}u + ${q * WG}u + lid.y${off}];`);
  for (let c = 0; c < g.cq; c++) lines.push(`b${c} = Bs[kk * ${g.bn4}u + ${c * WG}u + lid.x${off}];`);
  const reads = lines.map((l) => `      let ${l}`);
  const fmas: string[] = [];
  for (let q = 0; q < g.rq; q++) {
    for (const [comp, s] of ['x', 'y', 'z', 'w'].entries()) {
      for (let c = 0; c < g.cq; c++) fmas.push(`      acc[${(q * 4 + comp) * g.cq + c}] += a${q}.${s} * b${c};`);
    }
  }
  return `    for (var kk = 0u; kk < ${g.tk}u; kk++) {\n${[...reads, ...fmas].join('\n')}\n    }`;
}

/** Writes the thread's staged vec4s ra0…, rb0… into the slabs as the kernel's put_a (A stored row-major: four scalar stores) and put_b do. */
function stageSlabs(g: TileShape): string {
  const putA = (r: number): string => `    {
      let e = t + ${r * WG * WG}u;
      let i = e % ${g.bm}u;
      let kk4 = (e / ${g.bm}u) * 4u;
      As[kk4 * ${g.bm4}u + i / 4u][i % 4u] = ra${r}.x;
      As[(kk4 + 1u) * ${g.bm4}u + i / 4u][i % 4u] = ra${r}.y;
      As[(kk4 + 2u) * ${g.bm4}u + i / 4u][i % 4u] = ra${r}.z;
      As[(kk4 + 3u) * ${g.bm4}u + i / 4u][i % 4u] = ra${r}.w;
    }`;
  return [
    ...Array.from({ length: g.perA }, (_, r) => putA(r)),
    ...Array.from({ length: g.perB }, (_, r) => `    Bs[t + ${r * WG * WG}u] = rb${r};`),
  ].join('\n');
}

const slabDeclarations = (g: TileShape): string => `var<workgroup> As: array<vec4<f32>, ${g.tk * g.bm4}>;
var<workgroup> Bs: array<vec4<f32>, ${g.tk * g.bn4}>;`;

/** The sum of the accumulators, with constant indices only (as in the kernel: a runtime index would move acc out of registers). */
const accSum = (g: TileShape): string => Array.from({ length: g.accs }, (_, r) => `acc[${r}]`).join(' + ');

/**
 * The kernel's inner loop alone for a thread tile, TK steps per iteration. Unstaged, the slabs are written once
 * and each iteration offsets its reads by it·p.zero (0 at run time) so that the compiler cannot hoist them out of
 * the loop; staged, each iteration first writes the slabs (from registers) between two barriers, as the kernel
 * does each K step.
 */
function tileProbe(rq: number, cq: number, staged: boolean): Probe {
  const g = tileShape(rq, cq);
  const regs = [
    ...Array.from({ length: g.perA }, (_, r) => `  let ra${r} = seed[2] + vec4<f32>(f32(t + ${r}u));`),
    ...Array.from({ length: g.perB }, (_, r) => `  let rb${r} = seed[3] + vec4<f32>(f32(t + ${r}u));`),
  ].join('\n');
  const stage = stageSlabs(g);
  const code = `${PROBE_HEADER}
${slabDeclarations(g)}

@compute @workgroup_size(${WG}, ${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(local_invocation_index) t: u32) {
${regs}
  var acc: array<vec4<f32>, ${g.accs}>;
${staged ? '' : `${stage.replace(/^ {2}/gm, '')}\n  workgroupBarrier();`}
  for (var it = 0u; it < p.iters; it++) {
${staged ? `${stage}\n    workgroupBarrier();` : '    let off = it * p.zero;'}
${computeStep(g, staged ? '' : ' + off')}
${staged ? '    workgroupBarrier();' : ''}
  }
  out[wid.x * ${WG * WG}u + t] = ${accSum(g)};
}`;
  return { name: `tile ${4 * rq}x${4 * cq}${staged ? ' staged' : ''}`, code, fmasPerIteration: g.tk * 16 * rq * cq };
}

/** How a prototype product stages its slabs. */
interface ProtoOptions {
  /** K step (TK by default). */
  tk?: number;
  /** Read the next K step's slab vec4s from global memory while the current step computes (as the kernel's PREFETCH). */
  prefetch?: boolean;
}

/**
 * A complete product C = A·B (A M×K, B K×N, both row-major; M, N, K multiples of the tile and of the K step; no
 * edges, transposes or epilogue) built from the same pieces: per K step each thread reads its slab vec4s from
 * global memory, stages them, and computes. `proto 8x8` is the picked kernel's structure without its generality,
 * so beside `matmul n` it shows what that generality costs; `proto 16x8` and `proto 8x16` try larger thread tiles
 * (256×128 and 128×256 workgroup tiles) in a whole product; ` pf` marks prefetching, ` k8` / ` k32` the K step.
 */
function protoMatmul(rq: number, cq: number, options: ProtoOptions = {}): { name: string; shape: TileShape; code: string } {
  const g = tileShape(rq, cq, options.tk);
  const prefetch = options.prefetch ?? false;
  // Reads of step q (a WGSL expression) into ra0…, rb0… (declared by `decl`: 'let ' or '').
  const fetch = (q: string, decl: string): string => [
    ...Array.from({ length: g.perA }, (_, r) => `    ${decl}ra${r} = a[((row0 + (t + ${r * WG * WG}u) % ${g.bm}u) * d.K + ${q} + ((t + ${r * WG * WG}u) / ${g.bm}u) * 4u) / 4u];`),
    ...Array.from({ length: g.perB }, (_, r) => `    ${decl}rb${r} = b[((${q} + (t + ${r * WG * WG}u) / ${g.bn4}u) * d.N + col0 + ((t + ${r * WG * WG}u) % ${g.bn4}u) * 4u) / 4u];`),
  ].join('\n');
  const declared = [
    ...Array.from({ length: g.perA }, (_, r) => `  var ra${r}: vec4<f32>;`),
    ...Array.from({ length: g.perB }, (_, r) => `  var rb${r}: vec4<f32>;`),
  ].join('\n');
  const stores: string[] = [];
  for (let q = 0; q < rq; q++) {
    for (let comp = 0; comp < 4; comp++) {
      for (let c = 0; c < cq; c++) {
        stores.push(`  out[((row0 + ${q * 4 * WG + comp}u + 4u * lid.y) * d.N + col0 + ${c * 4 * WG}u + 4u * lid.x) / 4u] = acc[${(q * 4 + comp) * cq + c}];`);
      }
    }
  }
  const loop = prefetch
    ? `${declared}
${fetch('0u', '').replace(/^ {2}/gm, '')}
  for (var q0 = 0u; q0 < d.K; q0 += ${g.tk}u) {
${stageSlabs(g)}
    workgroupBarrier();
    if (q0 + ${g.tk}u < d.K) {
${fetch(`q0 + ${g.tk}u`, '').replace(/^/gm, '  ')}
    }
${computeStep(g, '')}
    workgroupBarrier();
  }`
    : `  for (var q0 = 0u; q0 < d.K; q0 += ${g.tk}u) {
${fetch('q0', 'let ')}
${stageSlabs(g)}
    workgroupBarrier();
${computeStep(g, '')}
    workgroupBarrier();
  }`;
  const code = `
struct Dims { M: u32, N: u32, K: u32, }
@group(0) @binding(0) var<storage, read> a: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> b: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> out: array<vec4<f32>>;
@group(0) @binding(3) var<uniform> d: Dims;
${slabDeclarations(g)}

@compute @workgroup_size(${WG}, ${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(local_invocation_index) t: u32) {
  let row0 = wid.y * ${g.bm}u;
  let col0 = wid.x * ${g.bn}u;
  var acc: array<vec4<f32>, ${g.accs}>;
${loop}
${stores.join('\n')}
}`;
  const suffix = `${prefetch ? ' pf' : ''}${g.tk !== TK ? ` k${g.tk}` : ''}`;
  return { name: `proto ${4 * rq}x${4 * cq}${suffix}`, shape: g, code };
}

/** Compiles a probe or prototype; WGSL and validation errors (a workgroup-memory limit, say) are thrown. */
async function compile(device: GPUDevice, code: string): Promise<GPUComputePipeline> {
  device.pushErrorScope('validation');
  let pipeline: GPUComputePipeline | null = null;
  let thrown: unknown = null;
  try {
    const module = device.createShaderModule({ code });
    const errors = (await module.getCompilationInfo()).messages.filter((m) => m.type === 'error');
    if (errors.length) throw new Error(`WGSL errors: ${errors.map((m) => `line ${m.lineNum}: ${m.message}`).join('; ')}`);
    pipeline = await device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' } });
  } catch (e) {
    thrown = e;
  }
  const failure = await device.popErrorScope();
  if (thrown) throw thrown;
  if (failure || !pipeline) throw new Error(failure?.message ?? 'no pipeline');
  return pipeline;
}

/** Seconds for `reps` dispatches of x×y workgroups in one submission, until the queue has finished them. */
async function timedDispatches(device: GPUDevice, pipeline: GPUComputePipeline, bind: GPUBindGroup, reps: number, x: number, y = 1): Promise<number> {
  const t = performance.now();
  const enc = device.createCommandEncoder();
  for (let r = 0; r < reps; r++) {
    const pass = enc.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bind);
    pass.dispatchWorkgroups(x, y);
    pass.end();
  }
  device.queue.submit([enc.finish()]);
  await device.queue.onSubmittedWorkDone();
  return (performance.now() - t) / 1000;
}

/** The f32 contents of a storage buffer (copied into a mappable one). */
async function readBack(device: GPUDevice, buffer: GPUBuffer, bytes: number): Promise<Float32Array> {
  const copy = device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const enc = device.createCommandEncoder();
  enc.copyBufferToBuffer(buffer, 0, copy, 0, bytes);
  device.queue.submit([enc.finish()]);
  await copy.mapAsync(GPUMapMode.READ);
  const data = new Float32Array(copy.getMappedRange().slice(0));
  copy.destroy();
  return data;
}

/** A compiled probe with its buffers, ready to dispatch. */
interface ReadyProbe {
  probe: Probe;
  /** Threads per dispatch. */
  threads: number;
  run(iters: number, dispatches: number): Promise<number>;
  check(): Promise<boolean>;
  destroy(): void;
}

async function prepareProbe(device: GPUDevice, probe: Probe, workgroups: number): Promise<ReadyProbe> {
  const threads = workgroups * WG * WG;
  const pipeline = await compile(device, probe.code);
  const seed = device.createBuffer({ size: 64, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(seed, 0, new Float32Array([0.9999, 0.9999, 0.9999, 0.9999, 1e-4, 1e-4, 1e-4, 1e-4, 0.5, 0.25, 0.125, 1, 0.75, 0.5, 0.25, 1]));
  const out = device.createBuffer({ size: threads * 16, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  const params = device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  const bind = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [{ binding: 0, resource: { buffer: seed } }, { binding: 1, resource: { buffer: out } }, { binding: 2, resource: { buffer: params } }],
  });
  const dispatch = async (iters: number, dispatches: number): Promise<number> => {
    device.queue.writeBuffer(params, 0, new Uint32Array([iters, 0, 0, 0]));
    return timedDispatches(device, pipeline, bind, dispatches, workgroups);
  };
  return {
    probe,
    threads,
    run: dispatch,
    /** Every thread wrote a finite sum (the probe ran and did not overflow). */
    async check() {
      const v = await readBack(device, out, threads * 16);
      return v.every((x) => Number.isFinite(x) && x !== 0);
    },
    destroy() {
      seed.destroy();
      out.destroy();
      params.destroy();
    },
  };
}

/** Median of three samples of at least `target` seconds each: seconds per iteration of the whole dispatch. */
async function timeProbe(p: ReadyProbe, target: number): Promise<{ secondsPerIteration: number; iters: number }> {
  let iters = 1;
  // Grow the loop until one dispatch lasts target / 4 (launch costs then weigh little), then repeat the dispatch.
  for (;;) {
    const dt = await p.run(iters, 1);
    if (dt >= target / 4 || iters >= 1 << 20) break;
    iters = Math.min(1 << 20, Math.max(iters * 2, Math.ceil((iters * target) / 4 / Math.max(dt, 1e-6))));
  }
  const samples: number[] = [];
  for (let s = 0; s < 3; s++) samples.push((await p.run(iters, 4)) / (4 * iters));
  samples.sort((x, y) => x - y);
  return { secondsPerIteration: samples[1]!, iters };
}

/**
 * Seconds per repetition of `run(reps)` (which returns once its reps have completed): reps doubled until one
 * call lasts `target` seconds (at most 4096), then the median of three calls.
 */
async function secondsPerRep(run: (reps: number) => Promise<unknown>, target: number): Promise<{ seconds: number; reps: number }> {
  const timed = async (reps: number): Promise<number> => {
    const t = performance.now();
    await run(reps);
    return (performance.now() - t) / 1000;
  };
  let reps = 1;
  while ((await timed(reps)) < target && reps < 4096) reps *= 2;
  const samples = [await timed(reps), await timed(reps), await timed(reps)].sort((x, y) => x - y);
  return { seconds: samples[1]! / reps, reps };
}

/** Times a prototype product n×n·n×n after checking it against an f64 product on sampled entries. */
async function timeProto(device: GPUDevice, proto: ReturnType<typeof protoMatmul>, n: number, target: number): Promise<Row> {
  const name = `${proto.name} ${n}`;
  const g = proto.shape;
  if (n % g.bm || n % g.bn || n % g.tk) return { name, gflops: null, note: `skipped: n must be a multiple of ${g.bm}, ${g.bn} and ${g.tk}` };
  const a = seededOperand(n * n, 1);
  const b = seededOperand(n * n, 2);
  const buffer = (data: Float32Array | null, usage: number): GPUBuffer => {
    const buf = device.createBuffer({ size: n * n * 4, usage: usage | GPUBufferUsage.COPY_DST });
    if (data) device.queue.writeBuffer(buf, 0, data.buffer, data.byteOffset, data.byteLength);
    return buf;
  };
  const aBuf = buffer(a, GPUBufferUsage.STORAGE);
  const bBuf = buffer(b, GPUBufferUsage.STORAGE);
  const outBuf = buffer(null, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC);
  const dims = device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(dims, 0, new Uint32Array([n, n, n, 0]));
  try {
    const pipeline = await compile(device, proto.code);
    const bind = device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [aBuf, bBuf, outBuf, dims].map((buf, binding) => ({ binding, resource: { buffer: buf } })),
    });
    const run = (reps: number): Promise<number> => timedDispatches(device, pipeline, bind, reps, n / g.bn, n / g.bm);
    await run(1);
    const got = await readBack(device, outBuf, n * n * 4);
    const error = sampledRelativeError(squareCases([n])[0]!, a, b, got);
    if (!(error < 1e-4)) return { name, gflops: null, note: `wrong: sampled error ${error.toExponential(1)} relative to Σ|a·b|` };
    const { seconds, reps } = await secondsPerRep(run, target);
    return { name, gflops: (2 * n ** 3) / seconds / 1e9, note: `${reps} products per sample; sampled error ${error.toExponential(1)}` };
  } finally {
    for (const buf of [aBuf, bBuf, outBuf, dims]) buf.destroy();
  }
}

interface Row {
  name: string;
  gflops: number | null;
  note: string;
}

/** The probes in the order they are timed. */
const probes = (): Probe[] => [fmaProbe(), tileProbe(2, 2, false), tileProbe(2, 2, true), tileProbe(4, 2, false), tileProbe(4, 2, true)];
/** The prototype products, timed after the probes at each size. */
const protos = (): ReturnType<typeof protoMatmul>[] => [
  protoMatmul(2, 2), protoMatmul(2, 2, { prefetch: true }), protoMatmul(2, 2, { tk: 8 }), protoMatmul(2, 2, { tk: 32 }),
  protoMatmul(4, 2), protoMatmul(4, 2, { prefetch: true }), protoMatmul(4, 2, { tk: 8 }),
  protoMatmul(2, 4), protoMatmul(2, 4, { prefetch: true }), protoMatmul(2, 4, { tk: 8 }),
];

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  if (o.print) {
    for (const probe of probes()) console.log(`// ---- ${probe.name}: ${probe.fmasPerIteration} multiply-adds per thread per iteration${probe.code}\n`);
    for (const proto of protos()) console.log(`// ---- ${proto.name}${proto.code}\n`);
    return;
  }
  const { gpu, ok, adapter } = await setupNodeGpu();
  if (!ok) throw new Error(adapter);
  const backend = await createWebGpuBackend(gpu);
  const kind = backend.adapterKind;
  console.log(`WebGPU adapter (Dawn): ${adapter} — ${kind}`);
  if (kind === 'software' && !o.force) {
    backend.dispose();
    console.log('software adapter: these ceilings describe a real GPU; pass --force to check that the probes run here');
    return;
  }
  // The 16×8 and 8×16 tiles' slabs take 24 KiB of workgroup memory, over WebGPU's default limit of 16 KiB.
  const probeAdapter = (await gpu.requestAdapter())!;
  const device = await probeAdapter.requestDevice({ requiredLimits: { maxComputeWorkgroupStorageSize: probeAdapter.limits.maxComputeWorkgroupStorageSize } });
  const rows: Row[] = [];
  let warmed = false;
  for (const probe of probes()) {
    try {
      const ready = await prepareProbe(device, probe, o.workgroups);
      try {
        if (!warmed) {
          // Clocks leave idle before the first timed sample (an H200 idles at 345 MHz).
          const t = performance.now();
          while (performance.now() - t < o.warmup * 1000) await ready.run(64, 1);
          warmed = true;
        }
        const { secondsPerIteration, iters } = await timeProbe(ready, o.target);
        if (!(await ready.check())) throw new Error('a thread wrote a non-finite or zero sum');
        const gflops = (2 * probe.fmasPerIteration * ready.threads) / secondsPerIteration / 1e9;
        rows.push({ name: probe.name, gflops, note: `${iters} iterations per dispatch` });
      } finally {
        ready.destroy();
      }
    } catch (e) {
      rows.push({ name: probe.name, gflops: null, note: `failed: ${errorMessage(e)}` });
    }
  }
  for (const n of o.sizes) {
    for (const proto of protos()) {
      try {
        rows.push(await timeProto(device, proto, n, o.target));
      } catch (e) {
        rows.push({ name: `${proto.name} ${n}`, gflops: null, note: `failed: ${errorMessage(e)}` });
      }
    }
  }
  device.destroy();
  const engine = backendEngine(backend, backend.description);
  for (const c of squareCases(o.sizes)) {
    try {
      const prep = await engine.prepare(c, seededOperand(c.m * c.k, 1), seededOperand(c.k * c.n, 2));
      try {
        await prep.run(2);
        const { seconds, reps } = await secondsPerRep((r) => prep.run(r), o.target);
        rows.push({ name: `matmul ${c.m}`, gflops: (2 * c.m * c.n * c.k) / seconds / 1e9, note: `${reps} products per sample` });
      } finally {
        prep.free();
      }
    } catch (e) {
      rows.push({ name: `matmul ${c.m}`, gflops: null, note: `failed: ${errorMessage(e)}` });
    }
  }
  await engine.dispose();
  const fma = rows.find((r) => r.name === 'fma')?.gflops ?? null;
  console.log(`\n${'probe'.padEnd(18)} ${'GFLOP/s'.padStart(9)} ${'of fma'.padStart(7)}  note`);
  for (const r of rows) {
    const share = r.gflops !== null && fma ? `${((100 * r.gflops) / fma).toFixed(0)} %` : '–';
    console.log(`${r.name.padEnd(18)} ${(r.gflops === null ? '–' : r.gflops.toFixed(1)).padStart(9)} ${share.padStart(7)}  ${r.note}`);
  }
  const stamp = new Date().toISOString();
  writeReport(o.out, 'webgpu-ceiling', stamp, { adapter, kind, options: o, workgroupThreads: WG * WG, tk: TK, rows }, 0);
}

runMain(main);
