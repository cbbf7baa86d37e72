/**
 * The one place that chooses how a matmul runs on WebGPU: which kernel, which tile, and whether each
 * operand can be loaded as aligned vec4s. Real GPUs get the workgroup-memory tiled kernel; software
 * adapters (SwiftShader, lavapipe, WARP), where workgroup barriers are expensive, get the register-blocked
 * kernel that was 5–10× faster there; tiny products get the one-thread-per-output kernel.
 */
import { ArgumentError } from '../../errors.js';

/** What kind of adapter runs the kernels: a real GPU, or a CPU implementation of WebGPU. */
export type AdapterKind = 'hardware' | 'software';

/** The shape of one product: op(A) is m×k, op(B) is k×n; `batch` such products run together (default 1). */
export interface MatmulShape {
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
  batch?: number;
}

/** A chosen matmul kernel with its compile-time parameters (override constants). */
export type MatmulVariant =
  | { kernel: 'simple'; ts: number }
  /** Workgroup wx×wy threads, each rb×cb blocks of 4×4 outputs (rb, cb: 1 or 2). */
  | { kernel: 'regblock'; vecA: boolean; vecB: boolean; wx: number; wy: number; rb: number; cb: number }
  /**
   * Workgroup wg×wg, output tile 8·wg square, K step tk; with split > 1, K is cut into `split` slices (each a
   * multiple of tk) computed by separate workgroups and added by a second pass; `prefetch` reads the next K
   * step into registers while the current one computes.
   */
  | { kernel: 'tiled'; vecA: boolean; vecB: boolean; wg: number; tk: number; split: number; prefetch: boolean };

/** Below this many multiply-adds a product is launch-bound: the simple kernel is as good as any. */
export const TINY_MATMUL_FLOPS = 32 * 32 * 32;

/** Hardware: 128×128 tiles without split K from this many tiles up (a large GPU has ~100 compute units). */
const BIG_TILES_MIN = 128;
/** Hardware: 128×128 tiles with split K from this many tiles up; fewer get 64×64 tiles. */
const MEDIUM_TILES_MIN = 32;
/** Hardware, 128×128 tiles: K slices at least this deep (a second pass costs more than it gains below). */
const MEDIUM_MIN_SLICE = 256;
/** Hardware, 64×64 tiles: K slices at least this deep (two K steps of 16). */
const SMALL_MIN_SLICE = 32;
/** Most K slices (partial sums take slices·m·n floats). */
const MAX_SPLIT = 16;

/** A split factor within [1, MAX_SPLIT] and at most `depthCap`. */
function clampSplit(wanted: number, depthCap: number): number {
  return Math.max(1, Math.min(MAX_SPLIT, wanted, depthCap));
}

/** Whether op(A) and op(B) can be read as aligned vec4s along their stored contiguous dimension. */
export function vec4Alignment(shape: MatmulShape): { vecA: boolean; vecB: boolean } {
  const { m, n, k, transA, transB } = shape;
  return { vecA: (transA ? m : k) % 4 === 0, vecB: (transB ? k : n) % 4 === 0 };
}

/** Picks the matmul kernel and its parameters for a shape on an adapter kind. */
export function pickMatmulVariant(shape: MatmulShape, adapterKind: AdapterKind): MatmulVariant {
  const dims = shape === null || typeof shape !== 'object' ? [] : [shape.m, shape.n, shape.k, shape.batch ?? 1];
  if (dims.length === 0 || !dims.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new ArgumentError(`pickMatmulVariant: shape must be { m, n, k, transA, transB, batch? } with positive integer sizes, got ${JSON.stringify(shape) ?? String(shape)}`);
  }
  if (adapterKind !== 'hardware' && adapterKind !== 'software') throw new ArgumentError(`pickMatmulVariant: adapterKind must be 'hardware' or 'software', got ${JSON.stringify(adapterKind) ?? String(adapterKind)}`);
  const { m, n, k } = shape;
  const batch = shape.batch ?? 1;
  // Tiny blocks would leave a tile's threads idle, however many blocks there are.
  if (m * n * k <= TINY_MATMUL_FLOPS) return { kernel: 'simple', ts: 16 };
  const { vecA, vecB } = vec4Alignment(shape);
  switch (adapterKind) {
    case 'software': {
      // 64 threads, each 2×2 blocks of 4×4 outputs where the output has 32 rows / columns to fill them (on
      // SwiftShader 8×8 outputs per thread load half as much per multiply-add as 4×4: 784×128ᵀ·128×512 in
      // 29.9 ms against 45.6). A narrow output gets a narrower, taller workgroup so that few threads idle past
      // its last column: the widest of 8, 4, 2, 1 threads across that leaves at most 10 % of them idle
      // (n = 10: 1 across, 1.00 ms for 512×128ᵀ·128×10, against 1.70 ms with 4 across and 1×1 blocks).
      const rb = m >= 32 ? 2 : 1;
      const cb = n >= 32 ? 2 : 1;
      const wx = softwareWorkgroupWidth(Math.ceil(n / (4 * cb)));
      return { kernel: 'regblock', vecA, vecB, wx, wy: 64 / wx, rb, cb };
    }
    case 'hardware': {
      // Measured on an H200 (bench/webgpu-tiles.ts; bench/measured/h200-2026-11-26i/ and …-26j/). Enough
      // 128×128 tiles (16×16 threads of 8×8 outputs) to fill the GPU: one pass, no prefetch (n = 2048: 23.9
      // TFLOP/s without, 18.9 with in one run, equal in the next; its registers cost occupancy). Between: 128×128
      // tiles with K split into slices of ≥ 256 until ~256 workgroups run (n = 1024: 20.0 TFLOP/s in 4 slices,
      // 9.4 unsplit). Small outputs: 64×64 tiles (8×8 threads), K split into slices of ≥ 32 until ~512
      // workgroups run: a small product is latency-bound, and more, shorter slices finish sooner (n = 128: 314
      // GFLOP/s in 4 slices, 151 unsplit; 128×512·512×512: 3.9 TFLOP/s in 16, 0.66 unsplit). K steps of 16.
      // A batch's blocks count as more tiles.
      const tiles128 = batch * Math.ceil(m / 128) * Math.ceil(n / 128);
      if (tiles128 >= BIG_TILES_MIN) return { kernel: 'tiled', vecA, vecB, wg: 16, tk: 16, split: 1, prefetch: false };
      if (tiles128 >= MEDIUM_TILES_MIN && k >= 2 * MEDIUM_MIN_SLICE) {
        return { kernel: 'tiled', vecA, vecB, wg: 16, tk: 16, split: clampSplit(Math.floor(256 / tiles128), Math.floor(k / MEDIUM_MIN_SLICE)), prefetch: true };
      }
      const tiles64 = batch * Math.ceil(m / 64) * Math.ceil(n / 64);
      return { kernel: 'tiled', vecA, vecB, wg: 8, tk: 16, split: clampSplit(Math.floor(512 / tiles64), Math.floor(k / SMALL_MIN_SLICE)), prefetch: true };
    }
    default:
      return adapterKind satisfies never;
  }
}

/** Threads across a 64-thread register-blocked workgroup for `blocks` column blocks: at most 10 % of them idle. */
function softwareWorkgroupWidth(blocks: number): number {
  for (const wx of [8, 4, 2]) {
    const lanes = Math.ceil(blocks / wx) * wx;
    if (lanes - blocks <= 0.1 * lanes) return wx;
  }
  return 1;
}
