/** A tiny Fashion-MNIST stand-in for experiment tests, as in-memory IDX files under /data. */
import { idxBytes, memoryFiles } from './idxFiles.js';
import { tinyFashionData } from './tinyFashionData.mjs';

/** A tiny Fashion-MNIST stand-in: class c lights up a 6×6 block at position c (+ noise), as IDX files. */
export function tinyFashion(): ReturnType<typeof memoryFiles> {
  const train = tinyFashionData(640, 1);
  const test = tinyFashionData(200, 2);
  const dir = '/data';
  return memoryFiles(new Map([
    [`${dir}/train-images-idx3-ubyte`, idxBytes('u8', [640, 28, 28], train.images)],
    [`${dir}/train-labels-idx1-ubyte`, idxBytes('u8', [640], train.labels)],
    [`${dir}/t10k-images-idx3-ubyte`, idxBytes('u8', [200, 28, 28], test.images)],
    [`${dir}/t10k-labels-idx1-ubyte`, idxBytes('u8', [200], test.labels)],
  ]));
}
