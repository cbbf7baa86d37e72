/**
 * A first-fit allocator with coalescing over a WebAssembly linear memory. Blocks are 64-byte aligned
 * (cache lines; SIMD needs 16). The memory grows on demand up to its maximum; views are re-created from
 * `memory.buffer` after every growth (a non-shared buffer is detached by `grow`, a shared one keeps its old
 * length), so callers must always go through `f32()` and never keep a view across an allocation.
 */
import { MatrixTooLargeError } from '../../errors.js';

const ALIGN = 64;
const PAGE = 65536;

/** Formats a byte count for error messages. */
function formatBytes(n: number): string {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(2)} GiB`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(1)} MiB`;
  return `${n} bytes`;
}

/** Allocator over one WebAssembly.Memory. */
export class WasmHeap {
  /** Free blocks sorted by address: parallel arrays of start and size (bytes). */
  private freeStart: number[] = [];
  private freeSize: number[] = [];
  /** Size of every live block, by address. */
  private live = new Map<number, number>();
  /** End of the highest live block: everything above is unused. */
  private top: number;
  private view: Float32Array;

  /**
   * @param memory the module's memory
   * @param base first usable byte (above the module's static data)
   * @param maxBytes the memory's maximum size in bytes
   */
  constructor(readonly memory: WebAssembly.Memory, base: number, readonly maxBytes: number) {
    this.top = Math.ceil(Math.max(base, ALIGN) / ALIGN) * ALIGN;
    this.view = new Float32Array(memory.buffer);
  }

  /** A Float32Array over the whole memory, valid until the next allocation. */
  f32(): Float32Array {
    const buf = this.memory.buffer;
    // A grown non-shared memory detaches the old view (length 0); a grown shared one leaves it short.
    if (this.view.byteLength !== buf.byteLength) this.view = new Float32Array(buf);
    return this.view;
  }

  /** Bytes currently handed out. */
  get usedBytes(): number {
    let s = 0;
    for (const v of this.live.values()) s += v;
    return s;
  }

  /** Allocates `bytes` (rounded up to 64) and returns the block's address. Throws MatrixTooLargeError. */
  alloc(bytes: number, what = 'a matrix'): number {
    const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
    // First fit among the free blocks.
    for (let i = 0; i < this.freeStart.length; i++) {
      if (this.freeSize[i] >= size) {
        const ptr = this.freeStart[i];
        const rest = this.freeSize[i] - size;
        if (rest > 0) {
          this.freeStart[i] = ptr + size;
          this.freeSize[i] = rest;
        } else {
          this.freeStart.splice(i, 1);
          this.freeSize.splice(i, 1);
        }
        this.live.set(ptr, size);
        return ptr;
      }
    }
    // No free block fits (a free block never touches the top: free() trims it), so allocate at the top.
    const ptr = this.top;
    const end = ptr + size;
    if (end > this.maxBytes) {
      throw new MatrixTooLargeError(
        `wasm backend: cannot allocate ${formatBytes(bytes)} for ${what}: ${formatBytes(this.usedBytes)} are in use and the ` +
        `WebAssembly memory is limited to ${formatBytes(this.maxBytes)}; free matrices you no longer need (backend.free / scope) or use smaller shapes`,
      );
    }
    this.ensure(end, bytes, what);
    this.top = end;
    this.live.set(ptr, size);
    return ptr;
  }

  /** Grows the memory so that it covers [0, end). */
  private ensure(end: number, bytes: number, what: string): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    // Grow by at least 1/8 of the current size to amortise growth.
    const need = Math.ceil((end - have) / PAGE);
    const want = Math.min(Math.max(need, Math.ceil(have / PAGE / 8)), Math.floor(this.maxBytes / PAGE) - have / PAGE);
    try {
      this.memory.grow(Math.max(need, want));
    } catch {
      try {
        this.memory.grow(need);
      } catch (e) {
        throw new MatrixTooLargeError(
          `wasm backend: cannot grow the WebAssembly memory to ${formatBytes(end)} for ${what} (${formatBytes(bytes)}): ` +
          `${String(e instanceof Error ? e.message : e)}; the host refused more memory. Free matrices you no longer need or use smaller shapes`,
        );
      }
    }
  }

  /** Releases the block at `ptr` (allocated by `alloc`); unknown pointers are ignored. */
  free(ptr: number): void {
    const size = this.live.get(ptr);
    if (size === undefined) return;
    this.live.delete(ptr);
    this.insertFree(ptr, size);
  }

  /** Inserts a free block, coalescing with its neighbours and trimming the top. */
  private insertFree(ptr: number, size: number): void {
    const starts = this.freeStart;
    const sizes = this.freeSize;
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid] < ptr) lo = mid + 1;
      else hi = mid;
    }
    let start = ptr;
    let len = size;
    let at = lo;
    if (at > 0 && starts[at - 1] + sizes[at - 1] === start) {
      at--;
      start = starts[at];
      len += sizes[at];
      starts.splice(at, 1);
      sizes.splice(at, 1);
    }
    if (at < starts.length && start + len === starts[at]) {
      len += sizes[at];
      starts.splice(at, 1);
      sizes.splice(at, 1);
    }
    if (start + len === this.top) {
      this.top = start;
      return;
    }
    starts.splice(at, 0, start);
    sizes.splice(at, 0, len);
  }
}
