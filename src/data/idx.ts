/**
 * Reader for the IDX format (LeCun's MNIST format, also used by Fashion-MNIST), raw or gzip-compressed.
 *
 * Layout (all multi-byte numbers big-endian): two zero bytes, a type byte (0x08 u8, 0x09 i8, 0x0B i16,
 * 0x0C i32, 0x0D f32, 0x0E f64), a byte with the number of dimensions, one u32 per dimension, then the
 * elements in row-major order. The reader checks every part, including that the length is exact and, when the
 * caller names one, the element type (before the length, which a wrong type byte would throw off), and
 * reports faults as DataFormatError naming the file, the fault and what was expected.
 *
 * Gzip is undone with the web-standard DecompressionStream (Node ≥ 18, Deno, browsers), so this module
 * runs everywhere; it never reads files itself (see FileSource in ./files.ts). Sizes are checked before
 * anything is allocated: dimensions whose product exceeds MAX_IDX_BYTES, or the bytes present, are refused
 * from the header alone, and decompression stops once the output passes the limit (a gzip bomb).
 */
import { DataFormatError } from '../errors.js';

/** Element type of an IDX array. */
export type IdxType = 'u8' | 'i8' | 'i16' | 'i32' | 'f32' | 'f64';

/** A decoded IDX array: its dimensions, element type and row-major data. */
export interface IdxArray {
  dims: number[];
  type: IdxType;
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

/** Type byte → element type and size in bytes. */
const TYPES: ReadonlyMap<number, { type: IdxType; size: number }> = new Map([
  [0x08, { type: 'u8', size: 1 }],
  [0x09, { type: 'i8', size: 1 }],
  [0x0b, { type: 'i16', size: 2 }],
  [0x0c, { type: 'i32', size: 4 }],
  [0x0d, { type: 'f32', size: 4 }],
  [0x0e, { type: 'f64', size: 8 }],
]);

/** Largest IDX file (header + data, after decompression) the reader accepts: 2 GiB, 40× Fashion-MNIST's largest. */
export const MAX_IDX_BYTES = 2 ** 31;

/** What a caller needs: the element type, and what the file holds (e.g. 'labels'), for messages. */
export interface IdxExpectation {
  type: IdxType;
  what: string;
}

/** A type byte as written in messages: 0x08. */
function typeByte(b: number): string {
  return `0x${b.toString(16).padStart(2, '0')}`;
}

/** Bytes as space-separated hex, for messages. */
function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** Parses the bytes; `stage` (e.g. ' after decompression') is added to length messages; `expect`, when given, fixes the type. */
function parse(bytes: Uint8Array, source: string, stage: string, expect: IdxExpectation | undefined): IdxArray {
  if (bytes.length < 4) {
    throw new DataFormatError(`${source}: too short for an IDX file${stage}: expected a 4-byte header (00 00 <type> <dims>), got ${bytes.length} bytes`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const gz = bytes[0] === 0x1f && bytes[1] === 0x8b ? ' (this looks like gzip data: use decodeIdx)' : '';
    throw new DataFormatError(`${source}: bad IDX magic number${stage}: expected the first two bytes 00 00, got ${hex(bytes.subarray(0, 4))}${gz}`);
  }
  const kind = TYPES.get(bytes[2]);
  if (!kind) {
    const known = [...TYPES].map(([b, t]) => `${typeByte(b)} (${t.type})`).join(', ');
    throw new DataFormatError(`${source}: unknown IDX element type byte ${typeByte(bytes[2])}; expected one of ${known}`);
  }
  // Checked before the length, which a wrong type byte would otherwise be reported as.
  if (expect && kind.type !== expect.type) {
    const want = [...TYPES].find(([, t]) => t.type === expect.type)![0];
    throw new DataFormatError(`${source}: IDX type ${typeByte(bytes[2])} (${kind.type}), expected ${typeByte(want)} (${expect.type}) for ${expect.what}; is it the right file? fetch it again`);
  }
  const nd = bytes[3];
  if (nd < 1) throw new DataFormatError(`${source}: IDX header says 0 dimensions; expected at least 1`);
  const headerBytes = 4 + 4 * nd;
  if (bytes.length < headerBytes) {
    throw new DataFormatError(`${source}: too short${stage}: expected ${headerBytes} header bytes for ${nd} dimensions, got ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let count = 1;
  for (let d = 0; d < nd; d++) {
    const n = view.getUint32(4 + 4 * d, false);
    if (n < 1) throw new DataFormatError(`${source}: IDX dimension ${d} is 0; expected every dimension ≥ 1 (dimensions ${dims.concat(n).join('×')}…)`);
    dims.push(n);
    count *= n; // exact while < 2^53, and anything that large is refused just below
  }
  const expected = headerBytes + count * kind.size;
  if (expected > MAX_IDX_BYTES) {
    throw new DataFormatError(`${source}: IDX header declares ${dims.join('×')} ${kind.type} (${expected} bytes), over the reader's limit of ${MAX_IDX_BYTES} bytes; the header is corrupt or the file is not an IDX file — fetch it again`);
  }
  if (bytes.length !== expected) {
    const shape = `${dims.join('×')} ${kind.type}`;
    const fault = bytes.length < expected ? 'truncated' : `${bytes.length - expected} trailing bytes`;
    throw new DataFormatError(`${source}: expected ${expected} bytes${stage} for ${shape}, got ${bytes.length} (${fault})`);
  }
  const body = bytes.subarray(headerBytes);
  let data: IdxArray['data'];
  switch (kind.type) {
    case 'u8':
      data = body; // a view: no copy of large image files
      break;
    case 'i8':
      data = new Int8Array(body.buffer, body.byteOffset, count);
      break;
    case 'i16': {
      const a = new Int16Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getInt16(headerBytes + 2 * i, false);
      data = a;
      break;
    }
    case 'i32': {
      const a = new Int32Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getInt32(headerBytes + 4 * i, false);
      data = a;
      break;
    }
    case 'f32': {
      const a = new Float32Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getFloat32(headerBytes + 4 * i, false);
      data = a;
      break;
    }
    case 'f64': {
      const a = new Float64Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getFloat64(headerBytes + 8 * i, false);
      data = a;
      break;
    }
    default:
      throw kind.type satisfies never;
  }
  return { dims, type: kind.type, data };
}

/** Parses uncompressed IDX bytes (u8/i8 data is a view into `bytes`), of `expect`'s type when given; faults throw DataFormatError naming `source`. */
export function parseIdx(bytes: Uint8Array, source: string, expect?: IdxExpectation): IdxArray {
  return parse(bytes, source, '', expect);
}

/** True when `bytes` start with the gzip magic number 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Compressed bytes handed to the DecompressionStream per write. */
const GZIP_SLICE = 1 << 20;

/**
 * Decompresses gzip bytes (at most `maxBytes` of output) with DecompressionStream, awaiting `pause` after each
 * piece of output (DecompressionStream works on the caller's thread); faults throw DataFormatError naming `source`.
 */
export async function gunzip(bytes: Uint8Array, source: string, maxBytes: number = MAX_IDX_BYTES, pause?: () => Promise<void>): Promise<Uint8Array> {
  if (typeof DecompressionStream !== 'function') {
    throw new DataFormatError(`${source}: is gzip-compressed but this runtime has no DecompressionStream; decompress it first (gunzip ${source})`);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  let tooLarge = false;
  try {
    const ds = new DecompressionStream('gzip');
    const writer = ds.writable.getWriter();
    // Write and read at the same time: a writer that waits for the whole input stalls on backpressure. The input
    // goes in slices: the stream inflates each write in one go on this thread (26 MB at once held a page ~0.3 s).
    const written = (async () => {
      for (let at = 0; at < bytes.length; at += GZIP_SLICE) await writer.write(bytes.subarray(at, at + GZIP_SLICE) as Uint8Array<ArrayBuffer>);
      await writer.close();
    })();
    // When the data is corrupt both sides fail; the reader's error is the one reported, so this one must
    // not surface as an unhandled rejection (which would end a Node process).
    written.catch(() => {});
    const reader = ds.readable.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.length;
      await pause?.();
      if (total > maxBytes) {
        await reader.cancel();
        tooLarge = true;
        break;
      }
    }
    if (!tooLarge) await written;
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new DataFormatError(`${source}: corrupt or truncated gzip data (${why}) in its ${bytes.length} bytes; expected a complete gzip stream — fetch the file again or pass it uncompressed`);
  }
  if (tooLarge) {
    throw new DataFormatError(`${source}: gzip data expands to more than ${maxBytes} bytes (from ${bytes.length}); not a plausible IDX file — fetch it again or pass a smaller file`);
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * Decodes an IDX file, gunzipping first when it starts with 1f 8b (awaiting `pause` between pieces), of `expect`'s
 * type when given; faults throw DataFormatError naming `source`.
 */
export async function decodeIdx(bytes: Uint8Array, source: string, expect?: IdxExpectation, pause?: () => Promise<void>): Promise<IdxArray> {
  if (!isGzip(bytes)) return parse(bytes, source, '', expect);
  return parse(await gunzip(bytes, source, MAX_IDX_BYTES, pause), source, ' after decompression', expect);
}
