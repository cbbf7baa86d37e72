/**
 * The Node file-system FileSource. Only the Node CLI bundles this module: the library stays free of
 * node:fs so the same bundle runs in browsers and Deno.
 */
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileSource } from '../data/files.js';

/** A FileSource over the local file system (node:fs/promises, node:path). */
export function nodeFileSource(): FileSource {
  return {
    async read(path: string): Promise<Uint8Array> {
      const buf = await readFile(path);
      // A plain Uint8Array view, so callers see the same type in every runtime.
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    },
    async exists(path: string): Promise<boolean> {
      try {
        await access(path);
        return true;
      } catch {
        return false;
      }
    },
    join: (...parts: string[]): string => join(...parts),
  };
}
