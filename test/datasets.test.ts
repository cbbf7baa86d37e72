/**
 * The datasets: the modular-addition table and its seeded split, sparse parity (enumerated and sampled),
 * and Fashion-MNIST read through an in-memory FileSource holding tiny generated IDX files (the real
 * dataset is not needed), including the missing-file and mismatched-count errors, and from picked files (the
 * web page's source); the synthetic stand-in.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ArgumentError, DataFormatError, DatasetMissingError } from '../src/errors.js';
import { Rng } from '../src/rng.js';
import { FASHION_MNIST_DIR, fashionMnistPresent, loadFashionMnist } from '../src/data/fashionMnist.js';
import { fashionMnistPick, pickedFileSource, type PickedFile } from '../src/data/pickedFiles.js';
import { modularAddition } from '../src/data/modularAddition.js';
import { sparseParity } from '../src/data/sparseParity.js';
import { syntheticImages } from '../src/data/syntheticImages.js';
import { gzip, idxBytes, memoryFiles } from './support/idxFiles.js';

const s = suite('datasets');

/** Asserts that `f` throws or rejects with an error of class `cls` whose message matches every pattern. */
async function rejects(f: () => unknown, cls: new (...a: any[]) => Error, ...patterns: RegExp[]): Promise<void> {
  try {
    await f();
  } catch (e) {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${e}`);
    for (const p of patterns) assert.match((e as Error).message, p);
    return;
  }
  assert.unreachable(`expected ${cls.name}`);
}

// --- modular addition ---

s('modular addition p = 5: the table in row-major order', () => {
  const d = modularAddition(5);
  assert.is(d.p, 5);
  assert.is(d.count, 25);
  assert.equal(Array.from(d.a.subarray(0, 7)), [0, 0, 0, 0, 0, 1, 1]);
  assert.equal(Array.from(d.b.subarray(0, 7)), [0, 1, 2, 3, 4, 0, 1]);
  // Row a = 3: (3 + b) mod 5 for b = 0…4.
  assert.equal(Array.from(d.y.subarray(15, 20)), [3, 4, 0, 1, 2]);
  assert.equal(Array.from(d.y), [0, 1, 2, 3, 4, 1, 2, 3, 4, 0, 2, 3, 4, 0, 1, 3, 4, 0, 1, 2, 4, 0, 1, 2, 3]);
  assert.equal(Array.from(d.train), Array.from({ length: 25 }, (_, i) => i), 'all pairs train by default');
  assert.is(d.test.length, 0);
});

s('modular addition: a 0.3 split is disjoint, complete, sized round(0.3·p²) and seeded', () => {
  const d = modularAddition(5, { trainFraction: 0.3, rng: new Rng(1) });
  assert.is(d.train.length, 8);
  assert.is(d.test.length, 17);
  const all = [...d.train, ...d.test].sort((x, y) => x - y);
  assert.equal(all, Array.from({ length: 25 }, (_, i) => i), 'train ∪ test is the table, with no index twice');
  for (const part of [d.train, d.test]) for (let i = 1; i < part.length; i++) assert.ok(part[i - 1] < part[i], 'ascending');
  const again = modularAddition(5, { trainFraction: 0.3, rng: new Rng(1) });
  assert.equal(Array.from(again.train), Array.from(d.train));
  assert.equal(Array.from(again.test), Array.from(d.test));
  const big = modularAddition(31, { trainFraction: 0.3, rng: new Rng(1) });
  const other = modularAddition(31, { trainFraction: 0.3, rng: new Rng(2) });
  assert.is.not(Array.from(other.train).join(), Array.from(big.train).join(), 'another seed, another split');
});

s('modular addition: bad arguments throw ArgumentError', async () => {
  for (const p of [1, 0, -3, 2.5, NaN]) await rejects(() => modularAddition(p), ArgumentError, /p must be an integer/);
  for (const f of [0, -0.1, 1.5, NaN]) await rejects(() => modularAddition(5, { trainFraction: f, rng: new Rng(0) }), ArgumentError, /trainFraction/);
  await rejects(() => modularAddition(5, { trainFraction: 0.5 }), ArgumentError, /needs an rng/);
});

// --- sparse parity ---

s('sparse parity n = 4, k = 2: all 16 inputs and their labels', () => {
  const d = sparseParity(4, 2);
  assert.is(d.count, 16);
  assert.equal(d.relevant, [0, 1]);
  assert.is(d.x.length, 64);
  // Row i: coordinate j is −1 where bit j of i is set.
  assert.equal(Array.from(d.x.subarray(0, 4)), [1, 1, 1, 1]);
  assert.equal(Array.from(d.x.subarray(4 * 5, 4 * 6)), [-1, 1, -1, 1]);
  assert.equal(Array.from(d.x.subarray(4 * 14, 4 * 15)), [1, -1, -1, -1]);
  // x0·x1 = −1 exactly when one of bits 0, 1 is set.
  assert.equal(Array.from(d.y), [0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0]);
  const other = sparseParity(4, 2, { relevant: [3, 1] });
  assert.equal(other.relevant, [1, 3]);
  assert.equal(Array.from(other.y), [0, 0, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0, 1, 1, 0, 0]);
});

s('sparse parity sampled with a seed: ±1 entries, consistent labels, reproducible', () => {
  const d = sparseParity(40, 3, { count: 2000, rng: new Rng(7) });
  assert.is(d.count, 2000);
  assert.is(d.x.length, 2000 * 40);
  let ones = 0;
  let plus = 0;
  for (let i = 0; i < d.count; i++) {
    let prod = 1;
    for (let j = 0; j < 40; j++) {
      const v = d.x[i * 40 + j];
      assert.ok(v === 1 || v === -1);
      if (v === 1) plus++;
      if (j < 3) prod *= v;
    }
    assert.is(d.y[i], prod === 1 ? 0 : 1);
    ones += d.y[i];
  }
  assert.ok(Math.abs(ones / d.count - 0.5) < 0.05, `class balance ${ones / d.count}`);
  assert.ok(Math.abs(plus / d.x.length - 0.5) < 0.01, `sign balance ${plus / d.x.length}`);
  const again = sparseParity(40, 3, { count: 2000, rng: new Rng(7) });
  assert.equal(Array.from(again.x), Array.from(d.x));
  assert.equal(Array.from(again.y), Array.from(d.y));
  // n > 12 samples 10 000 by default.
  assert.is(sparseParity(13, 4, { rng: new Rng(1) }).count, 10000);
});

s('sparse parity: bad arguments throw ArgumentError', async () => {
  await rejects(() => sparseParity(13, 2), ArgumentError, /needs an rng/);
  await rejects(() => sparseParity(21, 2, { count: 'all' }), ArgumentError, /n ≤ 20/);
  await rejects(() => sparseParity(4, 5), ArgumentError, /k must be/);
  await rejects(() => sparseParity(4, 0), ArgumentError, /k must be/);
  await rejects(() => sparseParity(0, 1), ArgumentError, /n must be/);
  await rejects(() => sparseParity(4, 2, { relevant: [1, 1] }), ArgumentError, /distinct/);
  await rejects(() => sparseParity(4, 2, { relevant: [0, 4] }), ArgumentError, /distinct integers in \[0, 4\)/);
  await rejects(() => sparseParity(4, 2, { count: 0, rng: new Rng(0) }), ArgumentError, /count/);
});

// --- Fashion-MNIST through an in-memory FileSource ---


/** n images whose pixel i of image k is (k·100 + i) mod 256. */
function pixels(n: number): number[] {
  return Array.from({ length: n * 784 }, (_, i) => (Math.floor(i / 784) * 100 + (i % 784)) % 256);
}

/** A tiny Fashion-MNIST folder: 3 gzipped training images, 2 raw (un-gzipped) test images. */
async function tinyFolder(dir: string): Promise<Map<string, Uint8Array>> {
  return new Map([
    [`${dir}/train-images-idx3-ubyte.gz`, await gzip(idxBytes('u8', [3, 28, 28], pixels(3)))],
    [`${dir}/train-labels-idx1-ubyte.gz`, await gzip(idxBytes('u8', [3], [9, 0, 4]))],
    [`${dir}/t10k-images-idx3-ubyte`, idxBytes('u8', [2, 28, 28], pixels(2))],
    [`${dir}/t10k-labels-idx1-ubyte`, idxBytes('u8', [2], [1, 7])],
  ]);
}

s('synthetic images: seeded, in [0, 1], every class present, and classes separated by their prototypes', async () => {
  const a = await syntheticImages(7, { train: 257, test: 65 });
  const b = await syntheticImages(7, { train: 257, test: 65 });
  assert.equal(a.train.images, b.train.images, 'same seed, same pixels');
  assert.equal(a.test.labels, b.test.labels);
  assert.not.equal((await syntheticImages(8, { train: 257, test: 65 })).train.images, a.train.images, 'another seed, other pixels');
  assert.is(a.train.images.length, 257 * 784);
  assert.is(a.test.count, 65);
  assert.ok(a.train.images.every((v) => v >= 0 && v <= 1));
  const counts = new Array(10).fill(0);
  a.train.labels.forEach((c) => counts[c]++);
  assert.ok(counts.every((c) => c > 0), `every class drawn: ${counts}`);
  // Nearest class mean (from the training set) classifies the test set far above chance (0.1) but not
  // perfectly: the classes overlap by design.
  const means = new Float64Array(10 * 784);
  a.train.labels.forEach((c, i) => { for (let j = 0; j < 784; j++) means[c * 784 + j] += a.train.images[i * 784 + j]! / counts[c]; });
  let right = 0;
  for (let i = 0; i < a.test.count; i++) {
    let best = -1, bestD = Infinity;
    for (let c = 0; c < 10; c++) {
      let d = 0;
      for (let j = 0; j < 784; j++) d += (a.test.images[i * 784 + j]! - means[c * 784 + j]!) ** 2;
      if (d < bestD) { bestD = d; best = c; }
    }
    if (best === a.test.labels[i]) right++;
  }
  assert.ok(right / a.test.count > 0.4 && right / a.test.count < 1, `nearest-mean accuracy ${right / a.test.count}`);
  let thrown: unknown = null;
  await syntheticImages(1, { train: 0, test: 5 }).catch((e: unknown) => { thrown = e; });
  assert.ok(thrown instanceof ArgumentError, String(thrown));
});

s('synthetic images drawn with pauses are the module header\'s construction, each set\'s noise one fill', async () => {
  // 1001 training images: two pauses' worth of samples and a rest, so the noise is drawn in three fills.
  const [train, test, seed] = [1001, 3, 5];
  let pauses = 0;
  const got = await syntheticImages(seed, { train, test }, async () => { pauses++; });
  assert.is(pauses, 3 + 1, 'a pause after each block of 500 samples, in each set');
  const rng = new Rng(seed).fork('synthetic-images');
  const base = rng.fork('base').fillUniform(new Float32Array(784), 0.1, 0.4);
  const classDir = rng.fork('classes').fillNormal(new Float32Array(7840));
  const featureDir = rng.fork('features').fillNormal(new Float32Array(7840 * 4));
  for (const [name, count, set] of [['train', train, got.train], ['test', test, got.test]] as const) {
    const r = rng.fork(name);
    const noise = r.fillNormal(new Float32Array(count * 784), 0, 0.25);
    for (let i = 0; i < count; i++) {
      const c = r.int(10);
      const j = r.int(4);
      assert.is(set.labels[i], c, `${name} label ${i}`);
      for (let p = 0; p < 784; p++) {
        const proto = Math.fround(base[p]! + 0.035 * classDir[c * 784 + p]! + 0.06 * featureDir[(c * 4 + j) * 784 + p]!);
        const want = Math.fround(Math.min(1, Math.max(0, noise[i * 784 + p]! + proto)));
        if (set.images[i * 784 + p] !== want) assert.unreachable(`${name} image ${i} pixel ${p}: ${set.images[i * 784 + p]} ≠ ${want}`);
      }
    }
  }
});

s('Fashion-MNIST: tiny generated files (gzip and raw names) load, scaled to [0, 1]', async () => {
  const dir = '/data/fm';
  const d = await loadFashionMnist(memoryFiles(await tinyFolder(dir)), dir);
  assert.is(d.train.count, 3);
  assert.is(d.train.rows, 28);
  assert.is(d.train.cols, 28);
  assert.is(d.train.images.length, 3 * 784);
  assert.equal(Array.from(d.train.labels), [9, 0, 4]);
  assert.equal(Array.from(d.test.labels), [1, 7]);
  const px = pixels(3);
  // Every pixel (all 256 values occur) is the f32 of its byte / 255.
  assert.ok(d.train.images.every((v, i) => v === Math.fround(px[i]! / 255)), 'each pixel is fround(byte / 255)');
  assert.is(new Set(px).size, 256);
  assert.is(d.train.images[255], 1);
  // With pause: the same data, and the pause awaited (at least once per set converted).
  let pauses = 0;
  const paused = await loadFashionMnist(memoryFiles(await tinyFolder(dir)), dir, { pause: async () => { pauses++; } });
  assert.equal(paused.train.images, d.train.images);
  assert.equal(paused.test.images, d.test.images);
  assert.ok(pauses >= 2, `${pauses} pauses`);
  await rejects(() => loadFashionMnist(memoryFiles(new Map()), dir, { pause: 5 as unknown as () => Promise<void> }), ArgumentError, /pause must be a function/);
  assert.is(d.classNames.length, 10);
  assert.is(d.classNames[9], 'Ankle boot');
  const limited = await loadFashionMnist(memoryFiles(await tinyFolder(dir)), dir, { limitTrain: 2, limitTest: 1 });
  assert.is(limited.train.count, 2);
  assert.is(limited.train.images.length, 2 * 784);
  assert.equal(Array.from(limited.test.labels), [1]);
  assert.is(FASHION_MNIST_DIR, '/usr/share/datasets/fashion-mnist');
  // What the suite checks before choosing the real data or the synthetic stand-in: the training images, either name.
  assert.is(await fashionMnistPresent(memoryFiles(await tinyFolder(dir)), dir), true);
  const raw = new Map([['/raw/train-images-idx3-ubyte', new Uint8Array(1)]]);
  assert.is(await fashionMnistPresent(memoryFiles(raw), '/raw'), true);
  assert.is(await fashionMnistPresent(memoryFiles(new Map()), dir), false);
});

s('Fashion-MNIST: a missing folder or file raises DatasetMissingError saying how to install it', async () => {
  await rejects(() => loadFashionMnist(memoryFiles(new Map()), '/nowhere'), DatasetMissingError,
    /\/nowhere/, /apt-get install dataset-fashion-mnist/, /train-images-idx3-ubyte\.gz/);
  const files = await tinyFolder('/d');
  files.delete('/d/train-labels-idx1-ubyte.gz');
  await rejects(() => loadFashionMnist(memoryFiles(files), '/d'), DatasetMissingError,
    /train-labels-idx1-ubyte\.gz missing/, /apt-get install dataset-fashion-mnist/, /or pass a folder holding/);
});

s('Fashion-MNIST: mismatched counts, bad labels and bad shapes raise DataFormatError naming the file', async () => {
  const mismatch = await tinyFolder('/d');
  mismatch.set('/d/train-labels-idx1-ubyte.gz', idxBytes('u8', [2], [1, 2]));
  await rejects(() => loadFashionMnist(memoryFiles(mismatch), '/d'), DataFormatError, /^\/d\/train-labels-idx1-ubyte\.gz: holds 2 labels/, /3 images/);
  const badLabel = await tinyFolder('/d');
  badLabel.set('/d/t10k-labels-idx1-ubyte', idxBytes('u8', [2], [3, 10]));
  await rejects(() => loadFashionMnist(memoryFiles(badLabel), '/d'), DataFormatError, /^\/d\/t10k-labels-idx1-ubyte: label 1 is 10/, /0…9/);
  const badShape = await tinyFolder('/d');
  badShape.set('/d/t10k-images-idx3-ubyte', idxBytes('u8', [2, 27, 28], new Array(2 * 27 * 28).fill(0)));
  await rejects(() => loadFashionMnist(memoryFiles(badShape), '/d'), DataFormatError, /t10k-images-idx3-ubyte: expected u8 images of shape N×28×28, got 2×27×28 u8/);
  // A labels file whose type byte says i32 (0x0C): named as the wrong type for labels, not as a short file.
  const retyped = await tinyFolder('/d');
  const labels = idxBytes('u8', [2], [1, 7]);
  labels[2] = 0x0c;
  retyped.set('/d/t10k-labels-idx1-ubyte', labels);
  await rejects(() => loadFashionMnist(memoryFiles(retyped), '/d'), DataFormatError, /^\/d\/t10k-labels-idx1-ubyte: IDX type 0x0c \(i32\), expected 0x08 \(u8\) for labels/);
  const truncated = await tinyFolder('/d');
  truncated.set('/d/train-images-idx3-ubyte.gz', await gzip(idxBytes('u8', [3, 28, 28], pixels(2))));
  await rejects(() => loadFashionMnist(memoryFiles(truncated), '/d'), DataFormatError, /train-images-idx3-ubyte\.gz: expected 2368 bytes after decompression for 3×28×28 u8, got 1584/);
  const fine = memoryFiles(await tinyFolder('/d'));
  await rejects(() => loadFashionMnist(fine, '/d', { limitTrain: -1 }), ArgumentError, /limitTrain/);
});

/** The files of tinyFolder(dir) as picked files: a name and the bytes, as a page's <input type="file"> gives them. */
async function tinyPicked(): Promise<PickedFile[]> {
  return [...(await tinyFolder('/picked'))].map(([path, bytes]) => ({
    name: path.slice(path.lastIndexOf('/') + 1), arrayBuffer: async () => bytes.slice().buffer,
  }));
}

s('Fashion-MNIST from picked files: found by name whatever the folder, equal to a load from a folder', async () => {
  const fromFolder = await loadFashionMnist(memoryFiles(await tinyFolder('/d')), '/d');
  const fromPicked = await loadFashionMnist(pickedFileSource(await tinyPicked()), '(files picked in this page)');
  assert.equal(Array.from(fromPicked.train.images), Array.from(fromFolder.train.images));
  assert.equal(Array.from(fromPicked.train.labels), [9, 0, 4]);
  assert.equal(Array.from(fromPicked.test.labels), [1, 7]);
  const source = pickedFileSource(await tinyPicked());
  assert.is(await source.exists('any/where/t10k-labels-idx1-ubyte'), true);
  assert.is(await source.exists('any/where/t10k-labels-idx1-ubyte.gz'), false);
  assert.is(source.join('a', 'b.gz'), 'a/b.gz');
});

s('Fashion-MNIST from picked files: a missing file is named; two files with one name are refused', async () => {
  const three = (await tinyPicked()).filter((f) => f.name !== 'train-labels-idx1-ubyte.gz');
  await rejects(() => loadFashionMnist(pickedFileSource(three), 'picked'), DatasetMissingError, /train-labels-idx1-ubyte\.gz missing/);
  await rejects(() => pickedFileSource(three).read('x/notes.txt'), DatasetMissingError, /^notes\.txt is not among the picked files \(/, /pick it too/);
  await rejects(() => pickedFileSource([...three, three[0]!]), ArgumentError, /two picked files are named train-images-idx3-ubyte\.gz/);
});

s('fashionMnistPick: which of the four files are there (gzip or raw), which are missing, which names are not theirs', () => {
  assert.equal(fashionMnistPick(['train-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte', 'notes.txt']), {
    found: ['train-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte'],
    missing: ['train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz'],
    other: ['notes.txt'],
  });
  assert.equal(fashionMnistPick([]).missing.length, 4);
  assert.equal(fashionMnistPick(['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz']).missing, []);
});

s.run();
