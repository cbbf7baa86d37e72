// Node flags for the test and benchmark runs. Node 20 ships WebAssembly relaxed SIMD behind a flag (on by
// default from Node 22); with it the WASM backend's default build (fused multiply-add in matmul) is the one
// tested and measured, as it is in browsers and Deno.
export const nodeFlags = Number(process.versions.node.split('.')[0]) < 22 ? ['--experimental-wasm-relaxed-simd'] : [];
