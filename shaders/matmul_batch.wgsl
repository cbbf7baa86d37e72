// matmul_batch.wgsl — the batch block of the matmul kernels (prepended to them; no entry point, no bindings).
// Block blk of a batched product reads A from element blk·strideA, B from blk·strideB, the bias from
// blk·biasStride (0: shared) and C / out from blk·M·N. The kernel's Params must have M, N, strideA, strideB
// and biasStride; aOff and bOff are multiples of 4 where the kernel reads aligned vec4s.
var<private> aOff: u32;
var<private> bOff: u32;
var<private> oOff: u32;
var<private> biasOff: u32;

/**
 * Workgroup g of a grid with `perBlock` workgroups per block: sets the offsets of its block and returns its
 * index within the block. Call once per invocation before any load or store.
 */
fn enter_block(g: u32, perBlock: u32) -> u32 {
  let blk = g / perBlock;
  aOff = blk * p.strideA;
  bOff = blk * p.strideB;
  oOff = blk * p.M * p.N;
  biasOff = blk * p.biasStride;
  return g % perBlock;
}
