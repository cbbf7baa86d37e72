/**
 * Lets the host run its pending events during long synchronous work. A WASM training step never waits on
 * I/O, so without a macrotask turn a Ctrl-C handler (Node, Deno) or a Stop button (browser) would only run
 * when the loop next writes a file or reads from the GPU. A turn costs well under a millisecond, and is taken
 * at most once per `intervalMs` of work; it does not change what is computed.
 */

/**
 * Resolves on the next macrotask: a MessageChannel message where there is one (browsers throttle setTimeout in
 * background tabs to once a second or less), else setTimeout.
 */
export function nextTask(): Promise<void> {
  return new Promise((done) => {
    if (typeof MessageChannel === 'undefined') {
      setTimeout(done, 0);
      return;
    }
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      // Both ends closed: an open port would keep a Node process from exiting.
      channel.port1.close();
      channel.port2.close();
      done();
    };
    channel.port2.postMessage(null);
  });
}

/** A function that, awaited after each unit of work, yields to the host once per `intervalMs`. */
export function hostYielder(intervalMs = 100): () => Promise<void> {
  let last = performance.now();
  return async () => {
    if (performance.now() - last < intervalMs) return;
    await nextTask();
    last = performance.now();
  };
}
