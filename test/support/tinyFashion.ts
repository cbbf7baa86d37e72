/** A tiny Fashion-MNIST stand-in for experiment tests, as in-memory IDX files under /data. */
import { idxBytes, memoryFiles } from './idxFiles.js';

/** A tiny Fashion-MNIST stand-in: class c lights up a 6×6 block at position c (+ noise), as IDX files. */
export function tinyFashion(): ReturnType<typeof memoryFiles> {
  const make = (count: number, seed: number) => {
    const images = new Uint8Array(count * 784);
    const labels = new Uint8Array(count);
    let s = seed;
    for (let i = 0; i < count; i++) {
      const c = i % 10;
      labels[i] = c;
      for (let j = 0; j < 784; j++) {
        s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
        const r = Math.floor(j / 28);
        const col = j % 28;
        const inBlock = r >= 2 * c && r < 2 * c + 6 && col >= 2 * c && col < 2 * c + 6;
        images[i * 784 + j] = (inBlock ? 180 : 0) + (s >>> 26);
      }
    }
    return { images, labels };
  };
  const train = make(640, 1);
  const test = make(200, 2);
  const dir = '/data';
  return memoryFiles(new Map([
    [`${dir}/train-images-idx3-ubyte`, idxBytes('u8', [640, 28, 28], train.images)],
    [`${dir}/train-labels-idx1-ubyte`, idxBytes('u8', [640], train.labels)],
    [`${dir}/t10k-images-idx3-ubyte`, idxBytes('u8', [200, 28, 28], test.images)],
    [`${dir}/t10k-labels-idx1-ubyte`, idxBytes('u8', [200], test.labels)],
  ]));
}
