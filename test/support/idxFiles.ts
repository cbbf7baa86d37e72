/** Builders of IDX files for the data tests (any element type, gzip through CompressionStream) and an in-memory FileSource. */
import type { FileSource } from '../../src/data/files.js';

/** An IDX file: header for `type` and `dims`, then `values` big-endian. */
export function idxBytes(type: 'u8' | 'i8' | 'i16' | 'i32' | 'f32' | 'f64', dims: number[], values: ArrayLike<number>): Uint8Array {
  const code = { u8: 0x08, i8: 0x09, i16: 0x0b, i32: 0x0c, f32: 0x0d, f64: 0x0e }[type];
  const size = { u8: 1, i8: 1, i16: 2, i32: 4, f32: 4, f64: 8 }[type];
  const header = 4 + 4 * dims.length;
  const out = new Uint8Array(header + size * values.length);
  const v = new DataView(out.buffer);
  out.set([0, 0, code, dims.length]);
  dims.forEach((d, i) => v.setUint32(4 + 4 * i, d, false));
  for (let i = 0; i < values.length; i++) {
    const at = header + size * i;
    if (type === 'u8') v.setUint8(at, values[i]);
    else if (type === 'i8') v.setInt8(at, values[i]);
    else if (type === 'i16') v.setInt16(at, values[i], false);
    else if (type === 'i32') v.setInt32(at, values[i], false);
    else if (type === 'f32') v.setFloat32(at, values[i], false);
    else v.setFloat64(at, values[i], false);
  }
  return out;
}

/** Gzip-compresses bytes with the web-standard CompressionStream. */
export async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const cs = new CompressionStream('gzip');
  const writer = cs.writable.getWriter();
  const written = writer.write(bytes as Uint8Array<ArrayBuffer>).then(() => writer.close());
  const out = new Uint8Array(await new Response(cs.readable).arrayBuffer());
  await written;
  return out;
}

/** A FileSource over a map from path to bytes, with '/' as separator. */
export function memoryFiles(files: Map<string, Uint8Array>): FileSource {
  return {
    read: async (path) => {
      const b = files.get(path);
      if (!b) throw new Error(`no such file ${path}`);
      return b;
    },
    exists: async (path) => files.has(path),
    join: (...parts) => parts.join('/'),
  };
}
