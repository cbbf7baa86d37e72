/**
 * The IDX reader (src/data/idx.ts): hand-built u8 / f32 / i32 / i16 / f64 files round-trip, gzip input is
 * undone with DecompressionStream, a caller's expected element type is checked before the length, and every
 * fault (magic, type byte, dimension count, zero dimension, short, trailing bytes, truncated or corrupt gzip)
 * raises DataFormatError naming the file and the fault.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DataFormatError } from '../src/errors.js';
import { decodeIdx, parseIdx } from '../src/data/idx.js';
import { gzip, idxBytes } from './support/idxFiles.js';

const s = suite('idx');

/** Asserts that `f` rejects with a DataFormatError whose message matches every pattern. */
async function rejects(f: () => unknown, ...patterns: RegExp[]): Promise<void> {
  try {
    await f();
  } catch (e) {
    assert.ok(e instanceof DataFormatError, `expected DataFormatError, got ${e}`);
    for (const p of patterns) assert.match((e as Error).message, p);
    return;
  }
  assert.unreachable('expected a DataFormatError');
}

s('u8, i8, i16, i32, f32 and f64 files round-trip with their dimensions', () => {
  const u8 = parseIdx(idxBytes('u8', [2, 3], [0, 1, 2, 253, 254, 255]), 'a');
  assert.equal(u8.dims, [2, 3]);
  assert.is(u8.type, 'u8');
  assert.ok(u8.data instanceof Uint8Array);
  assert.equal(Array.from(u8.data), [0, 1, 2, 253, 254, 255]);

  const f32 = parseIdx(idxBytes('f32', [4], [1.5, -2.25, 3e-8, -0]), 'b');
  assert.is(f32.type, 'f32');
  assert.ok(f32.data instanceof Float32Array);
  assert.equal(Array.from(f32.data), [1.5, -2.25, Math.fround(3e-8), -0]);

  const i32 = parseIdx(idxBytes('i32', [1, 2, 2], [-2147483648, 2147483647, -1, 258]), 'c');
  assert.equal(i32.dims, [1, 2, 2]);
  assert.ok(i32.data instanceof Int32Array);
  assert.equal(Array.from(i32.data), [-2147483648, 2147483647, -1, 258]);

  assert.equal(Array.from(parseIdx(idxBytes('i8', [3], [-128, 0, 127]), 'd').data), [-128, 0, 127]);
  assert.equal(Array.from(parseIdx(idxBytes('i16', [3], [-32768, 258, 32767]), 'e').data), [-32768, 258, 32767]);
  assert.equal(Array.from(parseIdx(idxBytes('f64', [2], [Math.PI, -1e300]), 'f').data), [Math.PI, -1e300]);
});

s('decodeIdx: raw bytes pass through; gzip is undone first', async () => {
  const raw = idxBytes('u8', [3, 28, 28], Array.from({ length: 3 * 784 }, (_, i) => (i * 7) % 256));
  const direct = await decodeIdx(raw, 'raw');
  assert.equal(direct.dims, [3, 28, 28]);
  const gz = await gzip(raw);
  assert.is(gz[0], 0x1f);
  assert.is(gz[1], 0x8b);
  const viaGzip = await decodeIdx(gz, 'x.gz');
  assert.equal(viaGzip.dims, [3, 28, 28]);
  assert.equal(Array.from(viaGzip.data), Array.from(direct.data));
  const f = await decodeIdx(await gzip(idxBytes('f32', [2], [0.5, -7])), 'y.gz');
  assert.equal(Array.from(f.data), [0.5, -7]);
});

s('faults raise DataFormatError naming the file, the fault and what was expected', async () => {
  const good = idxBytes('u8', [2, 3], [1, 2, 3, 4, 5, 6]);
  const bad = (edit: (b: Uint8Array) => void): Uint8Array => {
    const b = good.slice();
    edit(b);
    return b;
  };
  await rejects(() => parseIdx(bad((b) => (b[0] = 1)), 'magic.idx'), /^magic\.idx: /, /magic/, /00 00/);
  await rejects(() => parseIdx(bad((b) => (b[2] = 0x07)), 'type.idx'), /^type\.idx: /, /type byte 0x07/, /0x08 \(u8\)/);
  await rejects(() => parseIdx(bad((b) => (b[3] = 0)), 'nodims.idx'), /^nodims\.idx: /, /0 dimensions/, /at least 1/);
  await rejects(() => parseIdx(bad((b) => (b[7] = 0)), 'zero.idx'), /^zero\.idx: /, /dimension 0 is 0/, /≥ 1/);
  await rejects(() => parseIdx(good.subarray(0, good.length - 2), 'short.idx'), /^short\.idx: /, /expected 18 bytes for 2×3 u8, got 16/, /truncated/);
  await rejects(() => parseIdx(good.subarray(0, 6), 'header.idx'), /^header\.idx: /, /expected 12 header bytes/);
  await rejects(() => parseIdx(good.subarray(0, 2), 'tiny.idx'), /^tiny\.idx: /, /4-byte header/);
  const long = new Uint8Array(good.length + 3);
  long.set(good);
  await rejects(() => parseIdx(long, 'long.idx'), /^long\.idx: /, /expected 18 bytes for 2×3 u8, got 21/, /3 trailing bytes/);
});

s('an expected element type: a file of another type says so (not a wrong length), raw or gzip', async () => {
  const labels = { type: 'u8', what: 'labels' } as const;
  assert.equal(Array.from(parseIdx(idxBytes('u8', [3], [9, 0, 4]), 'l.idx', labels).data), [9, 0, 4]);
  // The type byte of a u8 labels file changed to 0x0C: the length fits u8, not i32, and the type is the fault.
  const retyped = idxBytes('u8', [8], [1, 2, 3, 4, 5, 6, 7, 8]);
  retyped[2] = 0x0c;
  await rejects(() => parseIdx(retyped, 'l.idx', labels), /^l\.idx: IDX type 0x0c \(i32\), expected 0x08 \(u8\) for labels/);
  const retypedGz = await gzip(retyped);
  await rejects(() => decodeIdx(retypedGz, 'l.gz', labels), /^l\.gz: IDX type 0x0c \(i32\), expected 0x08 \(u8\) for labels/);
  await rejects(() => parseIdx(idxBytes('f32', [2], [1, 2]), 'f.idx', { type: 'f64', what: 'weights' }), /IDX type 0x0d \(f32\), expected 0x0e \(f64\) for weights/);
  // Without an expectation any type is read.
  assert.is(parseIdx(idxBytes('i32', [2], [1, 2]), 'i.idx').type, 'i32');
});

s('a gzip stream of several MB (written in 1 MB slices) decodes to its bytes, pausing as asked; damage past the first slice is still caught', async () => {
  // Pseudo-random bytes compress little: about 3 MB of gzip, three slices and more.
  let state = 12345;
  const n = 4000;
  const raw = idxBytes('u8', [n, 28, 28], Array.from({ length: n * 784 }, () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) >>> 24)));
  const gz = await gzip(raw);
  assert.ok(gz.length > 2.5 * (1 << 20), `${gz.length} bytes of gzip`);
  let pauses = 0;
  const got = await decodeIdx(gz, 'big.gz', { type: 'u8', what: 'images' }, async () => { pauses++; });
  assert.equal(got.dims, [n, 28, 28]);
  assert.ok(got.data.length === n * 784 && got.data.every((v, i) => v === raw[16 + i]), 'the same bytes');
  assert.ok(pauses >= 3, `${pauses} pauses`);
  const late = gz.slice();
  for (let i = 2_500_000; i < 2_500_100; i++) late[i] ^= 0x5a;
  await rejects(() => decodeIdx(late, 'late.gz'), /^late\.gz: /, /gzip/);
});

s('gzip faults: truncated or corrupt streams, and a bad file inside a good stream', async () => {
  const raw = idxBytes('u8', [60, 28, 28], Array.from({ length: 60 * 784 }, (_, i) => (i * 31) % 251));
  const gz = await gzip(raw);
  await rejects(() => decodeIdx(gz.subarray(0, gz.length - 10), 'cut.gz'), /^cut\.gz: /, /corrupt or truncated gzip/);
  await rejects(() => decodeIdx(gz.subarray(0, 20), 'cut2.gz'), /^cut2\.gz: /, /gzip/);
  const flipped = gz.slice();
  for (let i = 20; i < 40; i++) flipped[i] ^= 0x5a;
  await rejects(() => decodeIdx(flipped, 'flip.gz'), /^flip\.gz: /, /gzip/);
  // A valid gzip stream around a too-short IDX file: the length message says "after decompression".
  const shortGz = await gzip(raw.subarray(0, 1000));
  await rejects(() => decodeIdx(shortGz, 'train-images-idx3-ubyte.gz'),
    /^train-images-idx3-ubyte\.gz: expected 47056 bytes after decompression for 60×28×28 u8, got 1000/);
  // Gzip bytes handed to the raw parser get a hint.
  await rejects(() => parseIdx(gz, 'raw.gz'), /decodeIdx/);
});

s.run();
