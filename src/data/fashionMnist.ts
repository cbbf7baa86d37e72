/**
 * Fashion-MNIST (Xiao, Rasul, Vollgraf 2017): 60 000 training and 10 000 test images of 28×28 grey
 * clothing items in 10 classes, read from the four IDX files (gzip or raw) through a FileSource.
 * The Debian package `dataset-fashion-mnist` installs them in FASHION_MNIST_DIR.
 */
import { ArgumentError, DataFormatError, DatasetMissingError } from '../errors.js';
import type { FileSource } from './files.js';
import { decodeIdx } from './idx.js';
import type { IdxArray } from './idx.js';

/** Where the Debian package `dataset-fashion-mnist` installs the files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** The file names (each may also be stored without the .gz suffix, uncompressed). */
export const FASHION_MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte.gz',
  trainLabels: 'train-labels-idx1-ubyte.gz',
  testImages: 't10k-images-idx3-ubyte.gz',
  testLabels: 't10k-labels-idx1-ubyte.gz',
} as const;

/** Class names in label order 0 … 9. */
export const FASHION_MNIST_CLASSES: readonly string[] = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
];

/** A set of labelled 28×28 images: images is count×784 row-major f32 in [0, 1], labels are 0 … 9. */
export interface LabeledImages {
  count: number;
  rows: 28;
  cols: 28;
  images: Float32Array;
  labels: Int32Array;
}

/** Options of loadFashionMnist. */
export interface FashionMnistOptions {
  /** Keep only the first limitTrain training examples (default, or when larger: all 60 000; compare train.count). */
  limitTrain?: number;
  /** Keep only the first limitTest test examples (default, or when larger: all 10 000; compare test.count). */
  limitTest?: number;
  /**
   * Awaited between pieces of the decompression and the conversion (e.g. hostYielder()): a page reading all
   * 70 000 images goes on painting and hears Stop instead of freezing for about a second. The data are the same.
   */
  pause?: () => Promise<void>;
}

/** Fashion-MNIST's training and test sets and the class names. */
export interface FashionMnist {
  train: LabeledImages;
  test: LabeledImages;
  classNames: string[];
}

/** What the user should do when files are missing. */
function installHint(): string {
  const names = Object.values(FASHION_MNIST_FILES).join(', ');
  return `install it with \`apt-get install dataset-fashion-mnist\` (Debian) or pass a folder holding ${names} (gzip or the same names without .gz)`;
}

/** The path of one file, gzip preferred, or null when neither form exists. */
async function locate(files: FileSource, dir: string, gzName: string): Promise<string | null> {
  for (const name of [gzName, gzName.replace(/\.gz$/, '')]) {
    const path = files.join(dir, name);
    if (await files.exists(path)) return path;
  }
  return null;
}

/** Whether `dir` holds Fashion-MNIST's training images (gzip or raw), where loadFashionMnist would look. */
export async function fashionMnistPresent(files: FileSource, dir: string = FASHION_MNIST_DIR): Promise<boolean> {
  return (await locate(files, dir, FASHION_MNIST_FILES.trainImages)) !== null;
}

/** Checks an optional example limit. */
function checkLimit(v: number | undefined, name: string): void {
  if (v !== undefined && !(Number.isInteger(v) && v >= 0)) throw new ArgumentError(`loadFashionMnist: ${name} must be an integer ≥ 0, got ${String(v)}`);
}

/** Pixel value v as the f32 of v / 255 (a table: a load per pixel instead of a division, the same bits). */
const PIXEL = Float32Array.from({ length: 256 }, (_, v) => v / 255);
/** Pixels converted between pauses. */
const PIXELS_PER_PAUSE = 1 << 20;

/** Validates one images/labels pair and converts the first `limit` examples (awaiting `pause` between pieces). */
async function toLabeled(images: IdxArray, imagesPath: string, labels: IdxArray, labelsPath: string, limit: number | undefined,
  pause?: () => Promise<void>): Promise<LabeledImages> {
  const [n, rows, cols] = images.dims;
  if (images.dims.length !== 3 || rows !== 28 || cols !== 28) {
    throw new DataFormatError(`${imagesPath}: expected u8 images of shape N×28×28, got ${images.dims.join('×')} ${images.type}`);
  }
  if (labels.dims.length !== 1) {
    throw new DataFormatError(`${labelsPath}: expected a 1-D u8 array of labels, got ${labels.dims.join('×')} ${labels.type}`);
  }
  if (labels.dims[0] !== n) {
    throw new DataFormatError(`${labelsPath}: holds ${labels.dims[0]} labels but ${imagesPath} holds ${n} images; expected the same count (mismatched files?)`);
  }
  const count = Math.min(n, limit ?? n);
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const y = labels.data[i];
    if (y > 9) throw new DataFormatError(`${labelsPath}: label ${i} is ${y}; expected a class 0…9`);
    out[i] = y;
  }
  const px = images.data.subarray(0, count * 784);
  const img = new Float32Array(px.length);
  for (let start = 0; start < px.length; start += PIXELS_PER_PAUSE) {
    const end = Math.min(px.length, start + PIXELS_PER_PAUSE);
    for (let i = start; i < end; i++) img[i] = PIXEL[px[i]]!;
    await pause?.();
  }
  return { count, rows: 28, cols: 28, images: img, labels: out };
}

/** The bytes of `path`; a read failure (permissions, a folder, I/O) becomes a DatasetMissingError naming the file. */
async function readOrExplain(files: FileSource, path: string): Promise<Uint8Array> {
  try {
    return await files.read(path);
  } catch (e) {
    throw new DatasetMissingError(`Fashion-MNIST: cannot read ${path} (${e instanceof Error ? e.message : String(e)}); check that it is a readable file, or ${installHint()}`);
  }
}

/** Loads Fashion-MNIST from `dir` through `files`; missing files → DatasetMissingError, bad files → DataFormatError. */
export async function loadFashionMnist(files: FileSource, dir: string = FASHION_MNIST_DIR, opts: FashionMnistOptions = {}): Promise<FashionMnist> {
  checkLimit(opts.limitTrain, 'limitTrain');
  checkLimit(opts.limitTest, 'limitTest');
  if (opts.pause !== undefined && typeof opts.pause !== 'function') throw new ArgumentError(`loadFashionMnist: pause must be a function returning a promise (e.g. hostYielder()), got ${typeof opts.pause}`);
  const keys = Object.keys(FASHION_MNIST_FILES) as (keyof typeof FASHION_MNIST_FILES)[];
  const paths = await Promise.all(keys.map((k) => locate(files, dir, FASHION_MNIST_FILES[k])));
  const missing = keys.filter((_, i) => paths[i] === null).map((k) => FASHION_MNIST_FILES[k]);
  if (missing.length === keys.length) {
    throw new DatasetMissingError(`Fashion-MNIST not found: ${dir} holds none of its files (or does not exist); ${installHint()}`);
  }
  if (missing.length > 0) {
    throw new DatasetMissingError(`Fashion-MNIST is incomplete in ${dir}: ${missing.join(', ')} missing; ${installHint()}`);
  }
  const [trainImagesPath, trainLabelsPath, testImagesPath, testLabelsPath] = paths as string[];
  // Both images and labels are u8: a wrong type byte is named as such, not as a length the type implies.
  const decode = async (path: string, what: string): Promise<IdxArray> => decodeIdx(await readOrExplain(files, path), path, { type: 'u8', what }, opts.pause);
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all([
    decode(trainImagesPath, 'images'), decode(trainLabelsPath, 'labels'), decode(testImagesPath, 'images'), decode(testLabelsPath, 'labels'),
  ]);
  return {
    train: await toLabeled(trainImages, trainImagesPath, trainLabels, trainLabelsPath, opts.limitTrain, opts.pause),
    test: await toLabeled(testImages, testImagesPath, testLabels, testLabelsPath, opts.limitTest, opts.pause),
    classNames: [...FASHION_MNIST_CLASSES],
  };
}
