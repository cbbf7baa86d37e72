/**
 * The Node file-system FileSource. Only the Node CLI bundles this module: the library stays free of
 * node:fs so the same bundle runs in browsers and Deno.
 */
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileSource } from '../data/files.js';

/** Whether something exists at `path` (false rather than an error when it does not). */
export function pathExists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false);
}

/** A FileSource over the local file system (node:fs/promises, node:path). */
export function nodeFileSource(): FileSource {
  return {
    async read(path: string): Promise<Uint8Array> {
      const buf = await readFile(path);
      // A plain Uint8Array view, so callers see the same type in every runtime.
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    },
    exists: pathExists,
    join: (...parts: string[]): string => join(...parts),
  };
}
