/**
 * A backend whose `read()` also lets the browser breathe: after each read-back it waits for the next macrotask,
 * so the page repaints its plots and sees the Stop button while an experiment trains on the main thread
 * (training only reads at its probes; a WASM read resolves in a microtask and would otherwise never yield).
 */
import type { Backend } from '../backend/types.js';
import { nextTask } from '../nn/hostYield.js';

/** `backend` with a yielding `read`; every other member is the backend's own (methods bound to it). */
export function yieldingBackend(backend: Backend): Backend {
  const read: Backend['read'] = async (m) => {
    const data = await backend.read(m);
    await nextTask();
    return data;
  };
  return new Proxy(backend, {
    get(target, key) {
      if (key === 'read') return read;
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
