// The tiny Fashion-MNIST stand-in's pixels and labels, shared by the TypeScript tests (test/support/tinyFashion.ts)
// and the browser test (plain JavaScript): class c lights up a 6×6 block at (2c, 2c) over seeded noise.

/** `count` 28×28 u8 images (row-major) and their labels 0…9 (image i has class i mod 10), noise from `seed`. */
export function tinyFashionData(count, seed) {
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
}
