// Tensor-core probe (issue 2): does Dawn expose subgroup matrices on this GPU, and can fp32 products be
// emulated on them exactly enough and faster than featurelab's SIMT matmul? Standalone: needs the npm package
// `webgpu` and a built dist/ (for the SIMT peer). Run from the repository root:
//   node bench/measured/h100-2026-11-26b/tensor-core-probe.mjs [--parts=staged,direct,ceiling] [--kinds=uniform,wide,small,rows]
// Prints the adapter's features and subgroup-matrix configurations, then for each part accuracy against an
// f64 reference (sampled outputs) and speed in TFLOP/s (2·m·n·k / time).
import { create, globals } from 'webgpu';
const arg = (name, def) => (process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? def).split(',');
const parts = arg('parts', 'staged,direct,ceiling');
const kinds = arg('kinds', 'uniform,wide,small,rows');
Object.assign(globalThis, globals);

const log = (...a) => console.log(...a);
const FEATURE = 'chromium-experimental-subgroup-matrix';

async function probe(flags) {
  const gpu = create(flags);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) { log('flags', flags, ': no adapter'); return null; }
  const feats = [...adapter.features].sort();
  const info = adapter.info;
  log('flags', JSON.stringify(flags), '→', info.vendor, info.architecture, info.device, info.description);
  log('  features:', feats.join(' '));
  log('  subgroup sizes', info.subgroupMinSize, info.subgroupMaxSize, 'wg storage', adapter.limits.maxComputeWorkgroupStorageSize,
    'invocations', adapter.limits.maxComputeInvocationsPerWorkgroup);
  let configs = [];
  try { configs = [...(info.subgroupMatrixConfigs ?? [])].map((c) => ({ componentType: c.componentType, resultComponentType: c.resultComponentType, M: c.M, N: c.N, K: c.K })); } catch (e) { log('  configs error', String(e)); }
  log('  subgroupMatrixConfigs:', JSON.stringify(configs));
  return { gpu, adapter, has: adapter.features.has(FEATURE), configs };
}

const flagSets = [[], ['enable-dawn-features=allow_unsafe_apis'], ['enable-dawn-features=allow_unsafe_apis,use_vulkan_memory_model']];
let chosen = null;
for (const f of flagSets) {
  const r = await probe(f);
  if (r?.has && !chosen) chosen = r;
}
if (!chosen) { log('RESULT: no subgroup matrix feature on this adapter'); process.exit(0); }

const cfg = chosen.configs.find((c) => c.componentType === 'i8' && c.resultComponentType === 'i32' && c.M === 16 && c.N === 16)
  ?? chosen.configs.find((c) => c.componentType === 'i8' && c.resultComponentType === 'i32');
if (!cfg) { log('RESULT: no i8→i32 config'); process.exit(0); }
log('using config', JSON.stringify(cfg));
const features = [FEATURE];
if (chosen.adapter.features.has('subgroups')) features.push('subgroups');
const L = chosen.adapter.limits;
const device = await chosen.adapter.requestDevice({
  requiredFeatures: features,
  requiredLimits: {
    maxComputeWorkgroupStorageSize: L.maxComputeWorkgroupStorageSize,
    maxComputeInvocationsPerWorkgroup: L.maxComputeInvocationsPerWorkgroup,
    maxComputeWorkgroupSizeX: L.maxComputeWorkgroupSizeX,
    maxStorageBufferBindingSize: L.maxStorageBufferBindingSize,
    maxBufferSize: L.maxBufferSize,
  },
});
device.addEventListener?.('uncapturederror', (e) => log('uncaptured:', e.error?.message));

// ---- semantics probe: offsets and strides of i8 matrices in array<i32>, in bytes or in words? ------------
async function probeUnits(form) {
  const { M: CM, N: CN, K: CK } = cfg;
  const results = {};
  for (const units of ['elems', 'words']) {
    const d = units === 'words' ? 4 : 1;
    const ld = (T, ptr, off, stride) => form.syntax === 'new' ? `subgroupMatrixLoad<${T}, row_major>(${ptr}, ${off}, ${stride})` : `subgroupMatrixLoad<${T}>(${ptr}, ${off}, false, ${stride})`;
    const st = (ptr, off, v, stride) => form.syntax === 'new' ? `subgroupMatrixStore<row_major>(${ptr}, ${off}, ${v}, ${stride})` : `subgroupMatrixStore(${ptr}, ${off}, ${v}, false, ${stride})`;
    // A: CM rows × CK cols in a row stride of CK + 16 bytes, starting at byte 16; B: CK rows × CN cols, stride CN + 16 bytes.
    const SA = CK + 16, SB = CN + 16;
    const code = `enable chromium_experimental_subgroup_matrix;
${form.diag ? 'diagnostic(off, chromium.subgroup_matrix_uniformity);' : ''}
@group(0) @binding(0) var<storage, read> a: array<i32>;
@group(0) @binding(1) var<storage, read> b: array<i32>;
@group(0) @binding(2) var<storage, read_write> c: array<i32>;
@compute @workgroup_size(32)
fn main() {
  let l = ${ld(`subgroup_matrix_left<i8, ${CK}, ${CM}>`, '&a', `${16 / d}u`, `${SA / d}u`)};
  let r = ${ld(`subgroup_matrix_right<i8, ${CN}, ${CK}>`, '&b', `${16 / d}u`, `${SB / d}u`)};
  let m = subgroupMatrixMultiplyAccumulate(l, r, subgroup_matrix_result<i32, ${CN}, ${CM}>());
  ${st('&c', '0u', 'm', `${CN}u`)};
}`;
    const pipeline = await compile(code, `probe ${units}`);
    if (!pipeline) { results[units] = 'compile failed'; continue; }
    const A8 = new Int8Array(16 + CM * SA), B8 = new Int8Array(16 + CK * SB);
    const Av = [], Bv = [];
    for (let i = 0; i < CM; i++) for (let q = 0; q < CK; q++) { const v = ((i * 7 + q * 3) % 23) - 11; A8[16 + i * SA + q] = v; Av.push(v); }
    for (let q = 0; q < CK; q++) for (let j = 0; j < CN; j++) { const v = ((q * 5 + j * 11) % 19) - 9; B8[16 + q * SB + j] = v; Bv.push(v); }
    const ba = buffer(new Int32Array(A8.buffer.slice(0, Math.ceil(A8.length / 4) * 4))), bb = buffer(new Int32Array(B8.buffer.slice(0, Math.ceil(B8.length / 4) * 4)));
    const bc = device.createBuffer({ size: CM * CN * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
    const bg = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [ba, bb, bc].map((buffer, binding) => ({ binding, resource: { buffer } })) });
    const enc = device.createCommandEncoder(); const pass = enc.beginComputePass(); pass.setPipeline(pipeline); pass.setBindGroup(0, bg); pass.dispatchWorkgroups(1); pass.end();
    device.queue.submit([enc.finish()]);
    const C = new Int32Array((await readBack(bc, CM * CN * 4)).buffer);
    let bad = 0;
    for (let i = 0; i < CM; i++) for (let j = 0; j < CN; j++) { let s = 0; for (let q = 0; q < CK; q++) s += Av[i * CK + q] * Bv[q * CN + j]; if (s !== C[i * CN + j]) bad++; }
    results[units] = bad === 0 ? 'exact' : `${bad} wrong, C[0..3] = ${[...C.slice(0, 4)]}`;
  }
  return results;
}

/** Slice-product groups g = s + t (2 … S + 1), each with its slice pairs (s, t). */
function sliceGroups(S) {
  const G = [];
  for (let g = 2; g <= S + 1; g++) { const pairs = []; for (let s = 1; s < g; s++) if (s <= S && g - s <= S) pairs.push([s, g - s]); G.push({ g, pairs }); }
  return G;
}
/** The WGSL shared by both kernels: directives (the extension; how per-subgroup offsets pass the uniformity
 * analysis), the parameters, output, scales and the fragment types. */
function preamble(uni) {
  let s = `enable chromium_experimental_subgroup_matrix;\n`;
  if (uni.includes('broadcast')) s += 'enable subgroups;\n';
  if (uni.includes('diagChromium')) s += 'diagnostic(off, chromium.subgroup_matrix_uniformity);\n';
  if (uni.includes('diagPlain')) s += 'diagnostic(off, subgroup_matrix_uniformity);\n';
  const { M: CM, N: CN, K: CK } = cfg;
  return s + `struct P { M: u32, N: u32, K: u32, tilesX: u32 }
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> p: P;
@group(0) @binding(4) var<storage, read> sc: array<f32>;
alias LM = subgroup_matrix_left<i8, ${CK}, ${CM}>;
alias RM = subgroup_matrix_right<i8, ${CN}, ${CK}>;
alias AM = subgroup_matrix_result<i32, ${CN}, ${CM}>;
`;
}

// ---- Ozaki-style int8 GEMM -----------------------------------------------------------------------------
// Rows of A and columns of B are scaled by powers of two to |x| < 1 (scales buffer: sA[M], sB[N], inverses),
// each x is cut into S signed 7-bit slices x = Σ_s σ_s·2^(−7s) (the last one rounded), and the slice products
// with s + t ≤ S + 1 are summed exactly in i32, one accumulator per s + t: out = Σ_g acc_g·2^(−7g) / (sA·sB).
function kernel({ BM, BN, BK, WM, WN, S, syntax, uni, units }) {
  const { M: CM, N: CN, K: CK } = cfg;
  const NSG = WM * WN, NT = 32 * NSG;
  const FM = BM / WM / CM, FN = BN / WN / CN;
  const SAW = BK / 4 + 4, SBW = BN / 4 + 4;   // row strides in words (16 bytes of padding)
  const perA = (BM * BK / 4) / NT, perB = (BK * BN / 4) / NT;
  if (!Number.isInteger(FM) || !Number.isInteger(FN) || !Number.isInteger(perA) || !Number.isInteger(perB) || BK % CK) return null;
  const d = units === 'words' ? 4 : 1;   // offsets and strides: bytes (d = 1) or words (d = 4)
  const ld = (T, ptr, offBytes, strideBytes) => syntax === 'new'
    ? `subgroupMatrixLoad<${T}, row_major>(${ptr}, (${offBytes}) / ${d}u, ${strideBytes / d}u)`
    : `subgroupMatrixLoad<${T}>(${ptr}, (${offBytes}) / ${d}u, false, ${strideBytes / d}u)`;
  const st = (ptr, off, v, stride) => syntax === 'new'
    ? `subgroupMatrixStore<row_major>(${ptr}, ${off}, ${v}, ${stride})`
    : `subgroupMatrixStore(${ptr}, ${off}, ${v}, false, ${stride})`;
  const G = sliceGroups(S);
  let s = preamble(uni);
  s += `@group(0) @binding(0) var<storage, read> a: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> b: array<vec4<f32>>;
`;
  for (let q = 1; q <= S; q++) s += `var<workgroup> a${q}: array<i32, ${BM * SAW}>;\nvar<workgroup> b${q}: array<i32, ${BK * SBW}>;\n`;
  s += `var<workgroup> cs: array<i32, ${NSG * CM * CN}>;
fn slices(x: vec4<f32>) -> array<u32, ${S}> {
  var r: array<u32, ${S}>;
  var t = x * 128.0;
`;
  for (let q = 0; q < S - 1; q++) s += `  { let i = vec4<i32>(t); r[${q}] = pack4xI8(i); t = (t - vec4<f32>(i)) * 128.0; }\n`;
  s += `  r[${S - 1}] = pack4xI8(vec4<i32>(clamp(round(t), vec4<f32>(-127.0), vec4<f32>(127.0))));
  return r;
}
@compute @workgroup_size(${NT})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  let row0 = (wid.x / p.tilesX) * ${BM}u;
  let col0 = (wid.x % p.tilesX) * ${BN}u;
  let sg = ${uni.includes('broadcast') ? 'subgroupBroadcastFirst(t / 32u)' : 't / 32u'};
  let lane = t % 32u;
  let sRow = (sg / ${WN}u) * ${BM / WM}u;
  let sCol = (sg % ${WN}u) * ${BN / WN}u;
`;
  for (let i = 0; i < FM; i++) for (let j = 0; j < FN; j++) for (const { g } of G) s += `  var c${g}_${i}_${j} = AM();\n`;
  s += `  for (var q0 = 0u; q0 < p.K; q0 += ${BK}u) {\n`;
  for (let r = 0; r < perA; r++) {
    s += `    { let e = t + ${r * NT}u; let row = e / ${BK / 4}u; let k4 = e % ${BK / 4}u;
      let sl = slices(a[((row0 + row) * p.K + q0) / 4u + k4] * sc[row0 + row]); let o = row * ${SAW}u + k4;\n`;
    for (let q = 1; q <= S; q++) s += `      a${q}[o] = bitcast<i32>(sl[${q - 1}]);\n`;
    s += `    }\n`;
  }
  for (let r = 0; r < perB; r++) {
    s += `    { let e = t + ${r * NT}u; let kr = e / ${BN / 4}u; let n4 = e % ${BN / 4}u;
      let sl = slices(b[((q0 + kr) * p.N + col0) / 4u + n4] * vec4<f32>(sc[p.M + col0 + 4u * n4], sc[p.M + col0 + 4u * n4 + 1u], sc[p.M + col0 + 4u * n4 + 2u], sc[p.M + col0 + 4u * n4 + 3u])); let o = kr * ${SBW}u + n4;\n`;
    for (let q = 1; q <= S; q++) s += `      b${q}[o] = bitcast<i32>(sl[${q - 1}]);\n`;
    s += `    }\n`;
  }
  s += `    workgroupBarrier();\n`;
  for (let kk = 0; kk < BK; kk += CK) {
    s += `    {\n`;
    for (let q = 1; q <= S; q++) {
      for (let i = 0; i < FM; i++) s += `      let la${q}_${i} = ${ld('LM', `&a${q}`, `(sRow + ${i * CM}u) * ${SAW * 4}u + ${kk}u`, SAW * 4)};\n`;
      for (let j = 0; j < FN; j++) s += `      let rb${q}_${j} = ${ld('RM', `&b${q}`, `${kk * SBW * 4}u + (sCol + ${j * CN}u)`, SBW * 4)};\n`;
    }
    for (let i = 0; i < FM; i++) for (let j = 0; j < FN; j++) for (const { g, pairs } of G) for (const [x, y] of pairs) {
      s += `      c${g}_${i}_${j} = subgroupMatrixMultiplyAccumulate(la${x}_${i}, rb${y}_${j}, c${g}_${i}_${j});\n`;
    }
    s += `    }\n`;
  }
  s += `    workgroupBarrier();\n  }\n`;
  const per = CM * CN / 32;
  for (let i = 0; i < FM; i++) for (let j = 0; j < FN; j++) {
    s += `  {\n    var v: array<f32, ${per}>;\n`;
    for (const { g } of [...G].reverse()) {   // smallest terms first
      s += `    ${st('&cs', `sg * ${CM * CN}u`, `c${g}_${i}_${j}`, `${CN}u`)};\n    workgroupBarrier();\n`;
      s += `    for (var r = 0u; r < ${per}u; r++) { v[r] += f32(cs[sg * ${CM * CN}u + lane + r * 32u]) * ldexp(1.0, ${-7 * g}); }\n    workgroupBarrier();\n`;
    }
    s += `    for (var r = 0u; r < ${per}u; r++) { let e = lane + r * 32u; let row = row0 + sRow + ${i * CM}u + e / ${CN}u; let col = col0 + sCol + ${j * CN}u + e % ${CN}u;
      out[row * p.N + col] = (v[r] * sc[p.M + p.N + row]) * sc[2u * p.M + p.N + col]; }\n  }\n`;
  }
  s += `}\n`;
  return { code: s, NT, BM, BN };
}

// ---- direct-load variant: slices precomputed (on the CPU here), fragments read straight from storage ----
// as: S planes of M×K bytes (row-major), bs: S planes of K×N bytes (row-major), as packed i32 words.
function kernel2({ WM, WN, FM, FN, S, uni }) {
  const { M: CM, N: CN, K: CK } = cfg;
  const NSG = WM * WN, NT = 32 * NSG, BM = WM * FM * CM, BN = WN * FN * CN;
  const G = sliceGroups(S);
  let s = preamble(uni);
  s += `@group(0) @binding(0) var<storage, read> ap: array<i32>;
@group(0) @binding(1) var<storage, read> bp: array<i32>;
var<workgroup> cs: array<i32, ${NSG * CM * CN}>;
@compute @workgroup_size(${NT})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  let sg = t / 32u;
  let lane = t % 32u;
  let r0 = (wid.x / p.tilesX) * ${BM}u + (sg / ${WN}u) * ${FM * CM}u;
  let c0 = (wid.x % p.tilesX) * ${BN}u + (sg % ${WN}u) * ${FN * CN}u;
  let kw = p.K / 4u;        // words per row of an A plane
  let nw = p.N / 4u;        // words per row of a B plane
  let pa = p.M * kw;        // words per A plane
  let pb = p.K * nw;
`;
  for (let i = 0; i < FM; i++) for (let j = 0; j < FN; j++) for (const { g } of G) s += `  var c${g}_${i}_${j} = AM();\n`;
  s += `  for (var q = 0u; q < p.K; q += ${CK}u) {\n`;
  for (let x = 1; x <= S; x++) {
    for (let i = 0; i < FM; i++) s += `    let la${x}_${i} = subgroupMatrixLoad<LM, row_major>(&ap, ${x - 1}u * pa + (r0 + ${i * CM}u) * kw + q / 4u, kw);\n`;
    for (let j = 0; j < FN; j++) s += `    let rb${x}_${j} = subgroupMatrixLoad<RM, row_major>(&bp, ${x - 1}u * pb + q * nw + (c0 + ${j * CN}u) / 4u, nw);\n`;
  }
  for (let i = 0; i < FM; i++) for (let j = 0; j < FN; j++) for (const { g, pairs } of G) for (const [x, y] of pairs) {
    s += `    c${g}_${i}_${j} = subgroupMatrixMultiplyAccumulate(la${x}_${i}, rb${y}_${j}, c${g}_${i}_${j});\n`;
  }
  s += `  }\n`;
  const per = CM * CN / 32;
  for (let i = 0; i < FM; i++) for (let j = 0; j < FN; j++) {
    s += `  {\n    var v: array<f32, ${per}>;\n`;
    for (const { g } of [...G].reverse()) {
      s += `    subgroupMatrixStore<row_major>(&cs, sg * ${CM * CN}u, c${g}_${i}_${j}, ${CN}u);\n    workgroupBarrier();\n`;
      s += `    for (var r = 0u; r < ${per}u; r++) { v[r] += f32(cs[sg * ${CM * CN}u + lane + r * 32u]) * ldexp(1.0, ${-7 * g}); }\n    workgroupBarrier();\n`;
    }
    s += `    for (var r = 0u; r < ${per}u; r++) { let e = lane + r * 32u; let row = r0 + ${i * CM}u + e / ${CN}u; let col = c0 + ${j * CN}u + e % ${CN}u;
      out[row * p.N + col] = (v[r] * sc[p.M + p.N + row]) * sc[2u * p.M + p.N + col]; }\n  }\n`;
  }
  s += `}\n`;
  return { code: s, NT, BM, BN };
}
/** CPU slicing matching the kernel's: S planes of int8, packed little-endian into i32 words. */
function slicePlanes(X, rows, cols, scaleOf, S) {
  const planes = new Int8Array(S * rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) {
    let t = Math.fround(Math.fround(X[r * cols + c] * scaleOf(r, c)) * 128);
    for (let q = 0; q < S - 1; q++) { const i = Math.trunc(t); planes[q * rows * cols + r * cols + c] = i; t = Math.fround((t - i) * 128); }
    planes[(S - 1) * rows * cols + r * cols + c] = Math.max(-127, Math.min(127, Math.round(t)));
  }
  return new Int32Array(planes.buffer);
}
/** The direct kernel on slice planes cut on the CPU. */
function runner2(k, M, N, K, A, B, S) {
  const sc = scales(A, B, M, N, K);
  return product(k, M, N, K, slicePlanes(A, M, K, (r) => sc[r], S), slicePlanes(B, K, N, (r, c) => sc[M + c], S), sc);
}
async function compile(code, label) {
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ code });
  const ci = await module.getCompilationInfo();
  const msgs = ci.messages.filter((m) => m.type === 'error');
  let pipeline = null;
  if (!msgs.length) pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
  const err = await device.popErrorScope();
  if (msgs.length || err) {
    log(`  compile ${label} failed:`, msgs.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join(' | ').slice(0, 600), err?.message?.slice(0, 600) ?? '');
    return null;
  }
  return pipeline;
}

// ---- data, reference --------------------------------------------------------------------------------
let seed = 12345;
const rnd = () => { seed = (seed * 1103515245 + 12345) >>> 0; return seed / 2 ** 32; };
function matrix(n, kind) {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = 2 * rnd() - 1;
    x[i] = kind === 'uniform' ? u : kind === 'small' ? u * 1e-6 : kind === 'wide' ? u * 10 ** (-4 * rnd()) : u;
  }
  return x;
}
function buffer(data, usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC) {
  const b = device.createBuffer({ size: Math.max(16, data.byteLength), usage });
  device.queue.writeBuffer(b, 0, data);
  return b;
}
async function readBack(buf, bytes) {
  const st = device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const enc = device.createCommandEncoder();
  enc.copyBufferToBuffer(buf, 0, st, 0, bytes);
  device.queue.submit([enc.finish()]);
  await st.mapAsync(GPUMapMode.READ);
  const r = new Float32Array(st.getMappedRange().slice(0));
  st.unmap(); st.destroy();
  return r;
}
/** Per-row (of A, M×K) and per-column (of B, K×N) power-of-two scales making every |value| < 1. */
function scales(A, B, M, N, K) {
  const s = new Float32Array(2 * (M + N));   // sA[M], sB[N], then their inverses
  const p2 = (m) => (m > 0 ? 2 ** -(Math.floor(Math.log2(m)) + 1) : 1);
  for (let i = 0; i < M; i++) { let m = 0; for (let q = 0; q < K; q++) m = Math.max(m, Math.abs(A[i * K + q])); s[i] = p2(m); }
  const cm = new Float64Array(N);
  for (let q = 0; q < K; q++) for (let j = 0; j < N; j++) cm[j] = Math.max(cm[j], Math.abs(B[q * N + j]));
  for (let j = 0; j < N; j++) s[M + j] = p2(cm[j]);
  for (let i = 0; i < M + N; i++) s[M + N + i] = 1 / s[i];
  return s;
}
/** The staged kernel on f32 A and B. */
function runner(k, M, N, K, A, B) { return product(k, M, N, K, A, B, scales(A, B, M, N, K)); }
/** Buffers, bind group and an encoder of `reps` dispatches for one product with kernel k. */
function product(k, M, N, K, a, b, sc) {
  const ba = buffer(a), bb = buffer(b), bs = buffer(sc), bo = device.createBuffer({ size: M * N * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  const u = new ArrayBuffer(16); const dv = new DataView(u);
  dv.setUint32(0, M, true); dv.setUint32(4, N, true); dv.setUint32(8, K, true); dv.setUint32(12, N / k.BN, true);
  const bu = buffer(new Uint8Array(u), GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
  const bg = device.createBindGroup({ layout: k.pipeline.getBindGroupLayout(0), entries: [ba, bb, bo, bu, bs].map((buffer, binding) => ({ binding, resource: { buffer } })) });
  const groups = (M / k.BM) * (N / k.BN);
  const encode = (reps) => {
    const enc = device.createCommandEncoder();
    for (let r = 0; r < reps; r++) {
      const pass = enc.beginComputePass(); pass.setPipeline(k.pipeline); pass.setBindGroup(0, bg); pass.dispatchWorkgroups(groups); pass.end();
    }
    device.queue.submit([enc.finish()]);
  };
  return { encode, out: bo, free: () => [ba, bb, bo, bu, bs].forEach((x) => x.destroy()) };
}

/** Relative errors on sampled outputs against an f64 reference: |c − ref| / Σ|a||b| and / |ref|. */
function errors(A, B, C, M, N, K, samples = 400) {
  let maxAbsRel = 0, sumAbsRel = 0, maxRel = 0, sumRel = 0;
  for (let s = 0; s < samples; s++) {
    const i = Math.floor(rnd() * M), j = Math.floor(rnd() * N);
    let ref = 0, mag = 0;
    for (let q = 0; q < K; q++) { const t = A[i * K + q] * B[q * N + j]; ref += t; mag += Math.abs(t); }
    const e = Math.abs(C[i * N + j] - ref);
    maxAbsRel = Math.max(maxAbsRel, e / mag); sumAbsRel += e / mag;
    maxRel = Math.max(maxRel, e / Math.abs(ref)); sumRel += e / Math.abs(ref);
  }
  return { maxAbsRel, meanAbsRel: sumAbsRel / samples, maxRel, meanRel: sumRel / samples };
}
const fmt = (e) => `err/Σ|ab| max ${e.maxAbsRel.toExponential(2)} mean ${e.meanAbsRel.toExponential(2)}; err/|c| max ${e.maxRel.toExponential(2)} mean ${e.meanRel.toExponential(2)}`;

// Our SIMT kernel, through the library, as the accuracy and speed peer.
let fl = null;
try {
  const lib = await import('../../../dist/featurelab.js');
  await lib.init({ prefer: ['webgpu'], gpu: chosen.gpu });
  fl = lib.getBackend('webgpu');
  log('featurelab:', fl.description);
} catch (e) { log('featurelab load failed', String(e)); }

async function timeIt(encode, flops, out) {
  encode(1); await readBack(out, 16);
  let reps = 1, dt = 0;
  for (;;) {
    const t0 = performance.now(); encode(reps); await readBack(out, 16); dt = performance.now() - t0;
    if (dt > 300 || reps >= 4096) break;
    reps *= 4;
  }
  const samples = [];
  for (let s = 0; s < 3; s++) { const t0 = performance.now(); encode(reps); await readBack(out, 16); samples.push((performance.now() - t0) / reps); }
  samples.sort((x, y) => x - y);
  return flops / (samples[1] / 1e3) / 1e12;
}

async function flTime(A, B, M, N, K) {
  const a = fl.upload(A, M, K), b = fl.upload(B, K, N);
  let c = fl.matmul(a, b); await fl.read(c); fl.free(c);
  const enc = (reps) => { for (let r = 0; r < reps; r++) { const x = fl.matmul(a, b); fl.free(x); } };
  let reps = 1, dt = 0, last;
  const sync = async () => { last = fl.matmul(a, b); const r = await fl.read(last); fl.free(last); return r; };
  for (;;) { const t0 = performance.now(); enc(reps); await sync(); dt = performance.now() - t0; if (dt > 300 || reps >= 4096) break; reps *= 4; }
  const s = [];
  for (let i = 0; i < 3; i++) { const t0 = performance.now(); enc(reps); await sync(); s.push((performance.now() - t0) / (reps + 1)); }
  s.sort((x, y) => x - y);
  const C = await (async () => { const x = fl.matmul(a, b); const r = await fl.read(x); fl.free(x); return r; })();
  fl.free(a, b);
  return { tflops: 2 * M * N * K / (s[1] / 1e3) / 1e12, C };
}

// ---- forms, units, variants ------------------------------------------------------------------------------
const variants = [
  { BM: 128, BN: 128, BK: 32, WM: 4, WN: 4, S: 3 },
  { BM: 64, BN: 64, BK: 32, WM: 2, WN: 2, S: 3 },
  { BM: 128, BN: 64, BK: 32, WM: 4, WN: 2, S: 3 },
  { BM: 64, BN: 128, BK: 32, WM: 2, WN: 4, S: 3 },
  { BM: 128, BN: 128, BK: 32, WM: 2, WN: 4, S: 3 },
  { BM: 128, BN: 128, BK: 32, WM: 4, WN: 4, S: 4 },
  { BM: 128, BN: 128, BK: 32, WM: 4, WN: 4, S: 1 },
  { BM: 128, BN: 128, BK: 32, WM: 4, WN: 2, S: 1 },
];
let form = null, units = null;
for (const syntax of ['new', 'old']) for (const diag of [false, true]) {
  if (form) break;
  const r = await probeUnits({ syntax, diag });
  log('units probe', syntax, diag, JSON.stringify(r));
  if (r.elems === 'exact' || r.words === 'exact') { form = { syntax, diag }; units = r.elems === 'exact' ? 'elems' : 'words'; }
}
if (!form) { log('RESULT: no exact int8 form'); process.exit(0); }
log('--- staged: f32 tiles sliced into workgroup memory ---');
log('form', JSON.stringify(form), 'units', units);
const compiled = [];
let uni = null;
for (const v of variants) {
  for (const u of uni ? [uni] : [['diagChromium'], ['diagPlain'], ['broadcast'], ['broadcast', 'diagChromium'], ['broadcast', 'diagPlain']]) {
    const k = kernel({ ...v, ...form, units, uni: u });
    if (!k) { log('variant', JSON.stringify(v), 'not valid for config'); break; }
    const pipeline = await compile(k.code, JSON.stringify(v) + ' ' + u.join('+'));
    if (pipeline) { uni = u; compiled.push({ ...v, ...k, pipeline, name: `${v.BM}x${v.BN}k${v.BK} sg${v.WM}x${v.WN} S${v.S}` }); log('compiled', JSON.stringify(v), u.join('+')); break; }
  }
  if (!uni) break;
}
if (!compiled.length) { log('RESULT: nothing compiled'); process.exit(0); }

function matrix2(M, K, kind) {
  const x = matrix(M * K, kind === 'rows' ? 'uniform' : kind);
  if (kind === 'rows') for (let i = 0; i < M; i++) { const f = 10 ** (6 * rnd() - 3); for (let q = 0; q < K; q++) x[i * K + q] *= f; }
  return x;
}
if (parts.includes('staged')) {
  const M = 1024, N = 1024, K = 4096;
  for (const kind of kinds) {
    const A = matrix2(M, K, kind), B = matrix2(K, N, kind === 'rows' ? 'uniform' : kind);
    if (fl) { const { C } = await flTime(A, B, M, N, K); seed = 777; log(`accuracy ${kind} featurelab SIMT: ${fmt(errors(A, B, C, M, N, K))}`); }
    for (const k of compiled) {
      const r = runner(k, M, N, K, A, B); r.encode(1);
      const C = await readBack(r.out, M * N * 4); r.free();
      seed = 777; log(`accuracy ${kind} ${k.name}: ${fmt(errors(A, B, C, M, N, K))}`);
    }
  }
}
// Speed, square sizes (scales precomputed on the CPU: not timed).
for (const n of [512, 1024, 2048, 4096]) {
  const A = matrix(n * n, 'uniform'), B = matrix(n * n, 'uniform');
  const flops = 2 * n * n * n;
  let line = `n=${n}:`;
  if (fl) { const { tflops } = await flTime(A, B, n, n, n); line += ` featurelab-SIMT ${tflops.toFixed(1)}`; }
  for (const k of compiled) {
    if (n % k.BM || n % k.BN) continue;
    const r = runner(k, n, n, n, A, B);
    line += ` | ${k.name} ${(await timeIt(r.encode, flops, r.out)).toFixed(1)}`;
    r.free();
  }
  log(line + ' TFLOP/s');
}
if (parts.includes('direct')) {
// ---- part 'direct': pre-sliced planes, fragments loaded from storage --------------------------------------------------------------------------------
const uni2 = uni;
const variants2 = [
  { WM: 2, WN: 2, FM: 2, FN: 2, S: 3 }, { WM: 4, WN: 2, FM: 2, FN: 2, S: 3 }, { WM: 2, WN: 4, FM: 2, FN: 2, S: 3 },
  { WM: 4, WN: 4, FM: 2, FN: 2, S: 3 }, { WM: 2, WN: 2, FM: 2, FN: 4, S: 3 }, { WM: 2, WN: 2, FM: 4, FN: 2, S: 3 },
  { WM: 1, WN: 4, FM: 4, FN: 2, S: 3 }, { WM: 2, WN: 2, FM: 2, FN: 2, S: 4 }, { WM: 4, WN: 2, FM: 2, FN: 2, S: 4 },
];
const compiled2 = [];
for (const v of variants2) {
  const k = kernel2({ ...v, uni: uni2 });
  const pipeline = await compile(k.code, JSON.stringify(v));
  if (pipeline) compiled2.push({ ...v, ...k, pipeline, name: `direct sg${v.WM}x${v.WN} f${v.FM}x${v.FN} S${v.S}` });
}
log('direct compiled:', compiled2.map((k) => k.name).join(', '));
{
  const M = 1024, N = 1024, K = 4096;
  for (const kind of kinds.filter((k) => k !== 'small' && k !== 'rows')) {
    const A = matrix2(M, K, kind), B = matrix2(K, N, kind);
    for (const k of compiled2.filter((k, i) => i === 0 || k.S === 4).slice(0, 2)) {
      const r = runner2(k, M, N, K, A, B, k.S); r.encode(1);
      const C = await readBack(r.out, M * N * 4); r.free();
      seed = 777; log(`accuracy ${kind} ${k.name}: ${fmt(errors(A, B, C, M, N, K))}`);
    }
  }
}
for (const n of [1024, 2048, 4096]) {
  const A = matrix(n * n, 'uniform'), B = matrix(n * n, 'uniform');
  const flops = 2 * n * n * n;
  let line = `n=${n}:`;
  const cache = new Map();
  for (const k of compiled2) {
    if (n % k.BM || n % k.BN) continue;
    const r = runner2(k, n, n, n, A, B, k.S);
    line += ` | ${k.name} ${(await timeIt(r.encode, flops, r.out)).toFixed(1)}`;
    r.free();
  }
  log(line + ' TFLOP/s');
}

}
// ---- ceilings: MMA only, and fragment loads from workgroup memory + MMA (no global traffic) -------------
function micro({ mode, FM, FN, NSG }) {
  const { M: CM, N: CN, K: CK } = cfg;
  let s = `enable chromium_experimental_subgroup_matrix;\ndiagnostic(off, chromium.subgroup_matrix_uniformity);
@group(0) @binding(0) var<storage, read_write> out: array<i32>;
@group(0) @binding(1) var<uniform> iters: vec4<u32>;
alias LM = subgroup_matrix_left<i8, ${CK}, ${CM}>;
alias RM = subgroup_matrix_right<i8, ${CN}, ${CK}>;
alias AM = subgroup_matrix_result<i32, ${CN}, ${CM}>;
var<workgroup> w: array<i32, ${NSG * 1024 + 4096}>;
@compute @workgroup_size(${32 * NSG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  let sg = t / 32u;
  for (var i = t; i < ${NSG * 1024 + 4096}u; i += ${32 * NSG}u) { w[i] = i32(i * 2654435761u); }
  workgroupBarrier();
`;
  for (let i = 0; i < FM; i++) s += `  var la${i} = subgroupMatrixLoad<LM, row_major>(&w, sg * 64u + ${i * 128}u, 8u);\n`;
  for (let j = 0; j < FN; j++) s += `  var rb${j} = subgroupMatrixLoad<RM, row_major>(&w, sg * 64u + ${j * 128 + 2048}u, 4u);\n`;
  for (let i = 0; i < FM; i++) for (let j = 0; j < FN; j++) s += `  var c${i}_${j} = AM();\n`;
  s += `  for (var it = 0u; it < iters.x; it++) {\n`;
  if (mode === 'load') {
    for (let i = 0; i < FM; i++) s += `    la${i} = subgroupMatrixLoad<LM, row_major>(&w, sg * 64u + ((it * 8u) & 1023u) + ${i * 128}u, 8u);\n`;
    for (let j = 0; j < FN; j++) s += `    rb${j} = subgroupMatrixLoad<RM, row_major>(&w, sg * 64u + ((it * 4u) & 1023u) + ${j * 128 + 2048}u, 4u);\n`;
  }
  for (let i = 0; i < FM; i++) for (let j = 0; j < FN; j++) s += `    c${i}_${j} = subgroupMatrixMultiplyAccumulate(la${i}, rb${j}, c${i}_${j});\n`;
  s += `  }\n`;
  for (let i = 0; i < FM; i++) for (let j = 0; j < FN; j++) s += `  subgroupMatrixStore<row_major>(&out, (wid.x * ${NSG}u + sg) * ${FM * FN * 256}u + ${(i * FN + j) * 256}u, c${i}_${j}, 16u);\n`;
  s += `}\n`;
  return s;
}
if (parts.includes('ceiling')) {
for (const v of [{ mode: 'mma', FM: 2, FN: 2, NSG: 4 }, { mode: 'mma', FM: 4, FN: 4, NSG: 4 }, { mode: 'mma', FM: 2, FN: 2, NSG: 8 },
                 { mode: 'load', FM: 2, FN: 2, NSG: 4 }, { mode: 'load', FM: 4, FN: 2, NSG: 4 }, { mode: 'load', FM: 2, FN: 2, NSG: 8 }]) {
  const pipeline = await compile(micro(v), JSON.stringify(v));
  if (!pipeline) continue;
  const groups = 132 * 8, iters = 2048;
  const bo = device.createBuffer({ size: groups * v.NSG * v.FM * v.FN * 1024, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  const bu = buffer(new Uint32Array([iters, 0, 0, 0]), GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
  const bg = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [bo, bu].map((buffer, binding) => ({ binding, resource: { buffer } })) });
  const encode = (reps) => { const enc = device.createCommandEncoder(); for (let r = 0; r < reps; r++) { const pass = enc.beginComputePass(); pass.setPipeline(pipeline); pass.setBindGroup(0, bg); pass.dispatchWorkgroups(groups); pass.end(); } device.queue.submit([enc.finish()]); };
  const ops = 2 * groups * v.NSG * iters * v.FM * v.FN * cfg.M * cfg.N * cfg.K;
  log(`ceiling ${JSON.stringify(v)}: ${(await timeIt(encode, ops, bo)).toFixed(0)} TOPS (int8)`);
  bo.destroy(); bu.destroy();
}

}
log('RESULT: done');
