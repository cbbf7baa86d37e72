// Interleaved A/B of two builds of the library in one process (A and B alternate their order every round; each product is timed with a one-row read-back, as the matmul bench does): each round times one product on one thread (build B) and one on two threads with each build.
// Usage: A=/path/to/a/dist/featurelab.js B=/path/to/b/dist/featurelab.js node --experimental-wasm-relaxed-simd ab-builds.mjs n reps [MxKxN]
const [pa, pb] = [process.env.A, process.env.B];
const A = await import(pa), B = await import(pb);
const n = Number(process.argv[2] ?? 1024), reps = Number(process.argv[3] ?? 20);
const [M, K, N] = process.argv[4] ? process.argv[4].split('x').map(Number) : [n, n, n];
const mkreg = async (lib, t) => { const r = new lib.BackendRegistry(); await r.init({ prefer: ['wasm'], wasmThreads: t, log: () => {} }); return r; };
const r1 = await mkreg(B, 1), ra = await mkreg(A, 2), rb = await mkreg(B, 2);
const set = [r1, ra, rb].map((r) => { const b = r.get('wasm'); return [b, b.upload(Float32Array.from({ length: M * K }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5), M, K), b.upload(Float32Array.from({ length: K * N }, (_, i) => ((i * 104729) % 997) / 997 - 0.5), K, N), b.upload([0], 1, 1)]; });
const time = async ([b, a, c, first]) => { const t0 = performance.now(); const o = b.matmul(a, c); const row = b.gatherRows(o, first); await b.read(row); b.free(row); const t = performance.now() - t0; b.free(o); return t; };
for (let w = 0; w < 3; w++) for (const s of set) await time(s);
const T = [[], [], []];
for (let r = 0; r < reps; r++) for (const i of (r % 2 ? [0, 1, 2] : [0, 2, 1])) T[i].push(await time(set[i]));
const med = (x) => [...x].sort((p, q) => p - q)[x.length >> 1];
const gf = (t) => (2 * M * N * K / t / 1e6).toFixed(1);
let wins = 0; for (let r = 0; r < reps; r++) if (T[2][r] < T[1][r]) wins++;
const sum = (x) => x.reduce((p, q) => p + q).toFixed(0);
console.log(`${M}x${K}·${K}x${N}: 1 thread ${gf(med(T[0]))}; A ${gf(med(T[1]))} (${(med(T[0]) / med(T[1])).toFixed(2)}x); B ${gf(med(T[2]))} (${(med(T[0]) / med(T[2])).toFixed(2)}x); B faster in ${wins}/${reps}; sums A ${sum(T[1])} B ${sum(T[2])} ms`);
for (const r of [r1, ra, rb]) r.disposeAll();
