/**
 * The one place that chooses how a matmul runs on WebGPU: which kernel, which tile, and whether each
 * operand can be loaded as aligned vec4s. Real GPUs get the workgroup-memory tiled kernel; software
 * adapters (SwiftShader, lavapipe, WARP), where workgroup barriers are expensive, get the register-blocked
 * kernel that was 5–10× faster there; tiny products get the one-thread-per-output kernel.
 */

/** What kind of adapter runs the kernels: a real GPU, or a CPU implementation of WebGPU. */
export type AdapterKind = 'hardware' | 'software';

/** The shape of one product: op(A) is m×k, op(B) is k×n. */
export interface MatmulShape {
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
}

/** A chosen matmul kernel with its compile-time parameters (override constants). */
export type MatmulVariant =
  | { kernel: 'simple'; ts: number }
  | { kernel: 'regblock'; vecA: boolean; vecB: boolean; wx: number; wy: number }
  /** Workgroup wg×wg, output tile 8·wg square, K step tk. */
  | { kernel: 'tiled'; vecA: boolean; vecB: boolean; wg: number; tk: number };

/** Below this many multiply-adds a product is launch-bound: the simple kernel is as good as any. */
export const TINY_MATMUL_FLOPS = 32 * 32 * 32;

/** Whether op(A) and op(B) can be read as aligned vec4s along their stored contiguous dimension. */
export function vec4Alignment(shape: MatmulShape): { vecA: boolean; vecB: boolean } {
  const { m, n, k, transA, transB } = shape;
  return { vecA: (transA ? m : k) % 4 === 0, vecB: (transB ? k : n) % 4 === 0 };
}

/** Picks the matmul kernel and its parameters for a shape on an adapter kind. */
export function pickMatmulVariant(shape: MatmulShape, adapterKind: AdapterKind): MatmulVariant {
  const { m, n, k } = shape;
  if (m * n * k <= TINY_MATMUL_FLOPS) return { kernel: 'simple', ts: 16 };
  const { vecA, vecB } = vec4Alignment(shape);
  switch (adapterKind) {
    case 'software': {
      // 64 threads of 4×4 outputs; a narrow output (n < 32) gets a narrower, taller workgroup so that
      // fewer threads idle past its last column.
      const wx = Math.min(8, nextPow2(Math.ceil(n / 4)));
      return { kernel: 'regblock', vecA, vecB, wx, wy: 64 / wx };
    }
    case 'hardware': {
      // 128×128 tiles (16×16 threads of 8×8 outputs) when there are enough of them to fill a large GPU;
      // else 64×64 tiles (8×8 threads), four times as many workgroups. K steps of 16. Measured on an H200
      // (Dawn, Vulkan): 10.7 / 27.1 / 23.3 TFLOP/s at n = 1024 / 2048 / 4096 with 128×128, and 64×64 tiles
      // 1.4× faster than 128×128 on the 784×512 output of an MLP's weight gradient.
      const big = Math.ceil(m / 128) * Math.ceil(n / 128) >= 64;
      return { kernel: 'tiled', vecA, vecB, wg: big ? 16 : 8, tk: 16 };
    }
    default:
      return adapterKind satisfies never;
  }
}

/** The smallest power of two ≥ x (x ≥ 1). */
function nextPow2(x: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(1, x)));
}
