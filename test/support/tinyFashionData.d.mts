/** `count` 28×28 u8 images (row-major) and their labels 0…9 (image i has class i mod 10), noise from `seed`. */
export function tinyFashionData(count: number, seed: number): { images: Uint8Array; labels: Uint8Array };
