/**
 * The seeded PRNG (src/rng.ts): Philox4x32-10 against the Random123 known-answer vectors, the counter/key
 * layout, golden values that must be the same bits in Node and Deno, independence of seeds, streams and
 * forks, the statistics of uniform / normal / int draws, shuffles, and argument errors.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ArgumentError } from '../src/errors.js';
import { Rng, philox4x32 } from '../src/rng.js';
import { bulkDrawPath } from '../src/rngKernels.js';

const s = suite('rng');

/** n words from a generator. */
function words(r: Rng, n: number): number[] {
  return Array.from({ length: n }, () => r.nextU32());
}

s('Philox4x32-10 reproduces the Random123 known-answer vectors', () => {
  const kat: [number[], number[], number[]][] = [
    [[0, 0, 0, 0], [0, 0], [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]],
    [[0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff], [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]],
    [[0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0], [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]],
  ];
  for (const [ctr, key, want] of kat) assert.equal(Array.from(philox4x32(ctr, key)), want);
});

s('block i of Rng(seed, stream) is philox([i, 0, stream, 0], [seed lo, seed hi])', () => {
  assert.equal(words(new Rng(0), 4), [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]);
  const seed = 2 ** 40 + 7;
  const r = new Rng(seed, 5);
  const got = words(r, 8);
  const want = [...philox4x32([0, 0, 5, 0], [7, 2 ** 8]), ...philox4x32([1, 0, 5, 0], [7, 2 ** 8])];
  assert.equal(got, want);
});

s('golden values: the same bits in every runtime', () => {
  const r = new Rng(42);
  assert.equal(words(r, 3), [0x9ceaf053, 0x77f5493b, 0x12bf50ad]);
  assert.is(r.uniform(), 0.3408615513721007);
  assert.is(r.int(1000), 525);
  // Box–Muller with the engine-independent ln / sincos, on a forked stream.
  const z = new Rng(42, 3).fork('init').fillNormal(new Float32Array(5));
  assert.equal(Array.from(z), [-2.3867547512054443, 1.4975439310073853, 0.30804815888404846, 0.7943013310432434, -0.864945650100708]);
  assert.equal(Array.from(new Rng(2 ** 53 - 1).fillUniform(new Float32Array(3), -1, 1)), [-0.3541984558105469, 0.13074064254760742, 0.6556762456893921]);
  assert.equal(Array.from(new Rng(5).permutation(8)), [7, 3, 2, 6, 0, 1, 4, 5]);
});

s('same seed → same sequence; different seeds, streams and fork labels → different', () => {
  assert.equal(words(new Rng(123), 100), words(new Rng(123), 100));
  const base = words(new Rng(123), 8).join();
  const others = [
    new Rng(124), new Rng(123, 1), new Rng(123 + 2 ** 32), new Rng(123).fork('init'), new Rng(123).fork('data'),
    new Rng(123).fork(0), new Rng(123).fork('0'), new Rng(123).fork('a'), new Rng(123).fork('a\u0000'),
    new Rng(123).fork('a longer label that spans several blocks'), new Rng(123).fork('a longer label that spans several blockz'),
    new Rng(123, 1).fork('init'), new Rng(123).fork('init').fork('init'),
  ].map((r) => words(r, 8).join());
  const all = [base, ...others];
  assert.is(new Set(all).size, all.length, 'every generator gives a different sequence');
});

s('fork depends on seed, stream and label only, not on draws made before', () => {
  const a = new Rng(9, 2);
  const before = words(a.fork('init'), 16);
  a.uniform();
  a.fillNormal(new Float32Array(33));
  assert.equal(words(a.fork('init'), 16), before);
  assert.equal(words(new Rng(9, 2).fork('init'), 16), before);
});

s('uniform(): [0, 1), mean ≈ 1/2 and variance ≈ 1/12 within 4σ over 1e5 draws', () => {
  const r = new Rng(2024);
  const n = 100000;
  let sum = 0;
  let sum2 = 0;
  for (let i = 0; i < n; i++) {
    const u = r.uniform();
    assert.ok(u >= 0 && u < 1);
    sum += u;
    sum2 += u * u;
  }
  const mean = sum / n;
  const variance = sum2 / n - mean * mean;
  assert.ok(Math.abs(mean - 0.5) < 4 * Math.sqrt(1 / 12 / n), `mean ${mean}`);
  // Var of (u − 1/2)² is 1/80 − 1/144 = 1/180.
  assert.ok(Math.abs(variance - 1 / 12) < 4 * Math.sqrt(1 / 180 / n), `variance ${variance}`);
});

s('fillUniform(): values in [lo, hi) as f32', () => {
  const r = new Rng(3);
  const a = r.fillUniform(new Float32Array(20000), -1, 1);
  let sum = 0;
  for (const v of a) {
    assert.ok(v >= -1 && v < 1);
    sum += v;
  }
  assert.ok(Math.abs(sum / a.length) < 4 * Math.sqrt(1 / 3 / a.length));
  // A range only a few f32 apart: rounding must never produce hi.
  const hi = 1 + 2 * 2 ** -23;
  for (const v of r.fillUniform(new Float32Array(1000), 1, hi)) assert.ok(v >= 1 && v < hi);
  assert.throws(() => r.fillUniform(new Float32Array(1), 1, 1), (e: Error) => e instanceof ArgumentError);
});

s('fillNormal(): mean and std within tolerance; matches Box–Muller with Math.log/cos/sin', () => {
  const r = new Rng(77);
  const n = 100001;
  const z = r.fillNormal(new Float32Array(n), 2, 3);
  let sum = 0;
  let sum2 = 0;
  for (const v of z) {
    sum += v;
    sum2 += v * v;
  }
  const mean = sum / n;
  const std = Math.sqrt(sum2 / n - mean * mean);
  assert.ok(Math.abs(mean - 2) < 4 * 3 / Math.sqrt(n), `mean ${mean}`);
  assert.ok(Math.abs(std - 3) < 4 * 3 / Math.sqrt(2 * n), `std ${std}`);
  // The documented draw order, evaluated with the engine's libm: the same values to f32 rounding.
  const u = new Rng(77);
  let worst = 0;
  for (let i = 0; i < 2000; i += 2) {
    const u1 = 1 - u.uniform();
    const u2 = u.uniform();
    const rad = Math.sqrt(-2 * Math.log(u1));
    worst = Math.max(worst, Math.abs(2 + 3 * rad * Math.cos(2 * Math.PI * u2) - z[i]), Math.abs(2 + 3 * rad * Math.sin(2 * Math.PI * u2) - z[i + 1]));
  }
  assert.ok(worst < 1e-5, `largest difference ${worst}`);
});

/** The same fill through the one-at-a-time path: pieces below the bulk threshold (64), even for normals so pairs line up. */
function inPieces(g: Rng, n: number, fill: (g: Rng, piece: Float32Array) => void, piece: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += piece) fill(g, out.subarray(i, Math.min(n, i + piece)));
  return out;
}

s('bulk fills (WASM kernels) have the bits of the one-at-a-time path at every offset and length, and leave the generator in the same place', () => {
  const cases: [string, (g: Rng, o: Float32Array) => void, number][] = [
    ['fillNormal', (g, o) => g.fillNormal(o, 0.5, 2), 62],
    ['fillUniform', (g, o) => g.fillUniform(o, -1, 3), 63],
  ];
  for (const [name, fill, piece] of cases) {
    // Words already drawn 0 … 5 (a block part used), lengths around the threshold, odd, and past one chunk (32,768 words).
    for (const drawn of [0, 1, 2, 3, 4, 5]) {
      for (const n of [64, 65, 66, 67, 16_385, 32_771, 70_001]) {
        const bulk = new Rng(9, drawn).fork(name);
        const plain = new Rng(9, drawn).fork(name);
        for (let w = 0; w < drawn; w++) assert.is(bulk.nextU32(), plain.nextU32());
        const a = new Float32Array(n);
        fill(bulk, a);
        const b = inPieces(plain, n, fill, piece);
        const diff = a.findIndex((v, i) => !Object.is(v, b[i]));
        assert.is(diff, -1, `${name}, ${drawn} words drawn, n = ${n}: value ${diff} is ${a[diff]}, one at a time ${b[diff]}`);
        assert.equal(bulk.state(), plain.state(), `${name}, ${drawn}, ${n}: state`);
        assert.equal(words(bulk, 5), words(plain, 5), `${name}, ${drawn}, ${n}: the words after`);
      }
    }
  }
  // Across the counter's low word wrapping into the high word.
  for (const [name, fill, piece] of cases) {
    const bulk = new Rng(3).fork(name);
    const plain = new Rng(3).fork(name);
    bulk.restore({ counter: [2 ** 32 - 3, 7], used: 4 });
    plain.restore({ counter: [2 ** 32 - 3, 7], used: 4 });
    const a = new Float32Array(1001);
    fill(bulk, a);
    assert.equal(Array.from(a), Array.from(inPieces(plain, 1001, fill, piece)), `${name} across the counter wrap`);
    assert.equal(bulk.state(), plain.state(), `${name} across the counter wrap: state`);
    assert.is(bulk.state().counter[1], 8);
  }
  assert.is(bulkDrawPath(), 'wasm', 'large fills must go through the WASM kernels in Node and Deno');
  // Golden values of a bulk fill, the same in every runtime.
  const z = new Rng(42, 3).fork('init').fillNormal(new Float32Array(1000));
  assert.equal([z[0], z[1], z[998], z[999]], [-2.3867547512054443, 1.4975439310073853, -0.04722224548459053, 1.0268986225128174]);
});

s('int(n): covers [0, n) without bias (chi-square), and rejection removes the modulo bias', () => {
  const r = new Rng(11);
  const n = 10;
  const draws = 100000;
  const counts = new Array(n).fill(0);
  for (let i = 0; i < draws; i++) counts[r.int(n)]++;
  const expected = draws / n;
  const chi2 = counts.reduce((acc, c) => acc + (c - expected) ** 2 / expected, 0);
  // 9 degrees of freedom: P(χ² > 40) ≈ 7e-6.
  assert.ok(chi2 < 40, `chi-square ${chi2}, counts ${counts}`);
  // n = 3·2^30: a plain `word mod n` puts half of the draws below n/3; the unbiased answer is a third.
  const big = 3 * 2 ** 30;
  let low = 0;
  for (let i = 0; i < 30000; i++) {
    const v = r.int(big);
    assert.ok(v >= 0 && v < big && Number.isInteger(v));
    if (v < big / 3) low++;
  }
  assert.ok(Math.abs(low / 30000 - 1 / 3) < 0.02, `fraction below n/3: ${low / 30000}`);
  assert.is(r.int(1), 0);
  assert.ok(r.int(2 ** 32) < 2 ** 32);
  for (const bad of [0, -1, 1.5, 2 ** 32 + 1, NaN]) assert.throws(() => r.int(bad), (e: Error) => e instanceof ArgumentError);
});

s('shuffle() is an in-place permutation; permutation(n) holds 0…n−1 once each', () => {
  const r = new Rng(1);
  const a = Array.from({ length: 50 }, (_, i) => `x${i}`);
  const b = r.shuffle(a.slice());
  assert.is.not(b.join(), a.join());
  assert.equal(b.slice().sort(), a.slice().sort());
  const f = Float32Array.from({ length: 40 }, (_, i) => i);
  const g = r.shuffle(f);
  assert.ok(g === f, 'shuffles in place and returns its argument');
  assert.equal(Array.from(g).sort((x, y) => x - y), Array.from({ length: 40 }, (_, i) => i));
  const p = r.permutation(1000);
  assert.equal(Array.from(p.slice().sort()), Array.from({ length: 1000 }, (_, i) => i));
  assert.is(r.permutation(0).length, 0);
  // Every one of the 6 orders of 3 items turns up about equally often.
  const seen = new Map<string, number>();
  for (let i = 0; i < 6000; i++) {
    const key = r.permutation(3).join();
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  assert.is(seen.size, 6);
  for (const c of seen.values()) assert.ok(Math.abs(c - 1000) < 150, `counts ${[...seen.values()]}`);
});

s('bad seeds, streams and labels throw ArgumentError', () => {
  for (const bad of [-1, 0.5, NaN, Infinity, 2 ** 53, 2 ** 60]) {
    assert.throws(() => new Rng(bad), (e: Error) => e instanceof ArgumentError && /seed/.test(e.message) && /2\^53/.test(e.message));
    assert.throws(() => new Rng(0, bad), (e: Error) => e instanceof ArgumentError && /stream/.test(e.message));
  }
  assert.ok(new Rng(2 ** 53 - 1) instanceof Rng);
  assert.throws(() => new Rng(0).fork(-3), (e: Error) => e instanceof ArgumentError);
  assert.throws(() => new Rng(0).fillNormal(new Float32Array(2), 0, -1), (e: Error) => e instanceof ArgumentError);
});

s.run();
