/**
 * Exact text encoding of checkpoint state: a tree of plain objects, arrays, strings, booleans, numbers and
 * typed arrays becomes JSON in which every float is stored as its bytes (base64), never as decimal text,
 * so NaN, ±Infinity, −0 and every bit of every value come back unchanged. Safe integers stay plain JSON
 * numbers (they are exact anyway). Typed arrays keep their type; arrays of numbers come back as arrays.
 * Bytes are written in the platform's order: little-endian on every platform featurelab runs on (WASM is
 * little-endian by definition).
 */
import { ArgumentError, CheckpointError } from '../errors.js';
import { decodeBase64, encodeBase64 } from './base64.js';

/** A value a checkpoint can hold. */
export type CheckpointValue =
  | null | boolean | number | string
  | Float32Array | Float64Array | Int32Array | Uint32Array
  | CheckpointValue[]
  | { [key: string]: CheckpointValue | undefined }
  | Prepacked;

/** A value packed once (its floats already base64) that every later save stores as is: a finished stage's result. */
export class Prepacked {
  /** @param packed the JSON-ready form from packExact */
  constructor(readonly packed: unknown) {}
}

/** `value` packed now, for saving many times without packing it again (decodes to the value itself). */
export function prepack(value: CheckpointValue): Prepacked {
  return new Prepacked(pack(value, '', new Map()));
}

/** The tag key of an encoded binary value; plain objects in the state must not use it. */
export const TAG = '$bin';
const TYPED = { f32: Float32Array, f64: Float64Array, i32: Int32Array, u32: Uint32Array } as const;
type TypedName = keyof typeof TYPED;

/**
 * The JSON-ready form of `v` (floats as bytes); `path` names the place for error messages, and `open` maps the
 * arrays and objects being packed around it to their paths (one met again is a cycle, which has no JSON form).
 */
function pack(v: CheckpointValue | undefined, path: string, open: Map<object, string>): unknown {
  if (v === undefined || v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (v instanceof Prepacked) return v.packed;
  if (typeof v === 'number') {
    return Number.isSafeInteger(v) && !Object.is(v, -0) ? v : { [TAG]: 'num', d: encodeBase64(new Uint8Array(new Float64Array([v]).buffer)) };
  }
  for (const [name, Ctor] of Object.entries(TYPED)) {
    if (v instanceof Ctor) return { [TAG]: name, d: encodeBase64(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)) };
  }
  const isArray = Array.isArray(v);
  if (isArray || (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype)) {
    const seenAt = open.get(v);
    if (seenAt !== undefined) {
      throw new CheckpointError(`checkpoint: the value at ${path} is the object at ${seenAt || '(root)'}, which contains it (a cycle); a checkpoint holds a tree: store the shared part once and refer to it by key`);
    }
    open.set(v, path);
    try {
      if (isArray) return packArray(v as CheckpointValue[], path, open);
      if (TAG in v) throw new CheckpointError(`checkpoint: the key '${TAG}' at ${path || '(root)'} is reserved; rename it`);
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = pack(x, path ? `${path}.${k}` : k, open);
      return out;
    } finally {
      open.delete(v);
    }
  }
  throw new CheckpointError(`checkpoint: cannot store the ${Object.prototype.toString.call(v)} at ${path || '(root)'}; use plain objects, arrays, numbers, strings, booleans or typed arrays`);
}

/** An array's JSON-ready form: all numbers as one f64 block, anything else element by element. */
function packArray(v: CheckpointValue[], path: string, open: Map<object, string>): unknown {
  if (v.length > 0 && v.every((x) => typeof x === 'number')) return { [TAG]: 'nums', d: encodeBase64(new Uint8Array(Float64Array.from(v as number[]).buffer)) };
  return v.map((x, i) => pack(x, `${path}[${i}]`, open));
}

/** The value `packed` stood for. */
function unpack(packed: unknown): CheckpointValue {
  if (packed === null || typeof packed !== 'object') return packed as CheckpointValue;
  if (Array.isArray(packed)) return packed.map(unpack);
  const o = packed as Record<string, unknown>;
  if (TAG in o) {
    const kind = o[TAG];
    const bytes = decodeBase64(String(o.d));
    const damaged = () => new CheckpointError(`checkpoint: a '${String(kind)}' value of ${bytes.length} bytes is not whole elements (the file is damaged); delete it or pass --fresh`);
    if (kind === 'num' || kind === 'nums') {
      if (kind === 'num' ? bytes.length !== 8 : bytes.length % 8 !== 0) throw damaged();
      const values = new Float64Array(bytes.buffer);
      return kind === 'num' ? values[0]! : Array.from(values);
    }
    if (typeof kind === 'string' && kind in TYPED) {
      const Ctor = TYPED[kind as TypedName];
      if (bytes.length % Ctor.BYTES_PER_ELEMENT !== 0) throw damaged();
      return new Ctor(bytes.buffer as ArrayBuffer);
    }
    throw new CheckpointError(`checkpoint: unknown binary kind '${String(kind)}'; the file was written by another version — delete it or pass --fresh`);
  }
  const out: Record<string, CheckpointValue> = {};
  for (const [k, x] of Object.entries(o)) out[k] = unpack(x);
  return out;
}

/** The JSON-ready form of `value` (every float as its bytes), to embed exact values in other JSON (e.g. result details). */
export function packExact(value: CheckpointValue): unknown {
  return pack(value, '', new Map());
}

/** The value that `packed` (packExact's form, after a JSON round trip) stood for. */
export function unpackExact(packed: unknown): CheckpointValue {
  return unpack(packed);
}

/** Encodes `value` as JSON text in which every float is stored exactly. */
export function encodeCheckpoint(value: CheckpointValue): string {
  return JSON.stringify(packExact(value));
}

/** Decodes text written by encodeCheckpoint (CheckpointError, naming `source`, on text that is not such JSON). */
export function decodeCheckpoint(text: string, source = 'checkpoint'): CheckpointValue {
  // JSON.parse would turn null into null and a number into itself: a missing file would pass for a checkpoint.
  if (typeof text !== 'string') throw new ArgumentError(`decodeCheckpoint: pass the checkpoint's text (a string, as encodeCheckpoint wrote it), got ${text === null ? 'null' : typeof text} for ${source}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new CheckpointError(`${source}: the file is not valid JSON (${String(e)}); delete it or pass --fresh`);
  }
  try {
    return unpackExact(parsed);
  } catch (e) {
    throw e instanceof CheckpointError && source !== 'checkpoint' ? new CheckpointError(`${source}: ${e.message}`) : e;
  }
}
