/**
 * Lets the host run its pending events during long synchronous work. A WASM training step never waits on
 * I/O, so without a macrotask turn a Ctrl-C handler (Node, Deno) or a Stop button (browser) would only run
 * when the loop next writes a file or reads from the GPU. Yielding costs about a millisecond, so it is done
 * at most once per `intervalMs` of work; it does not change what is computed.
 */
export function hostYielder(intervalMs = 100): () => Promise<void> {
  let last = performance.now();
  return async () => {
    if (performance.now() - last < intervalMs) return;
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
    last = performance.now();
  };
}
