/**
 * A FileSource over files the user picked (a web page's <input type="file">, or any named blobs): nothing is
 * read from a disk path or the network. A path resolves by its last segment, so `join(dir, name)` finds the
 * picked file called `name` whatever `dir` says; the loaders keep their own path logic.
 */
import { ArgumentError, DatasetMissingError } from '../errors.js';
import { FASHION_MNIST_FILES } from './fashionMnist.js';
import type { FileSource } from './files.js';
import { describeValue } from '../validate.js';

/** A picked file: a DOM File, or anything with a name and its bytes. */
export interface PickedFile {
  name: string;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** The last segment of a '/' or '\' separated path. */
function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}

/** A FileSource over `files`, looked up by name; two picked files with one name are an ArgumentError. */
export function pickedFileSource(files: readonly PickedFile[]): FileSource {
  if (files === null || typeof files !== 'object' || typeof (files as Iterable<PickedFile>)[Symbol.iterator] !== 'function') {
    throw new ArgumentError(`pickedFileSource: pass the picked files (an input element's files, or an array of { name, arrayBuffer() }), got ${describeValue(files)}`);
  }
  const byName = new Map<string, PickedFile>();
  for (const f of files) {
    if (f === null || typeof f !== 'object' || typeof f.name !== 'string' || typeof f.arrayBuffer !== 'function') {
      throw new ArgumentError(`pickedFileSource: every picked file must have a name and an arrayBuffer() method (a File does), got ${describeValue(f)}`);
    }
    if (byName.has(f.name)) throw new ArgumentError(`pickedFileSource: two picked files are named ${f.name}; pick each file once`);
    byName.set(f.name, f);
  }
  return {
    read: async (path) => {
      const f = byName.get(baseName(path));
      if (!f) throw new DatasetMissingError(`${baseName(path)} is not among the picked files (${[...byName.keys()].join(', ') || 'none'}); pick it too`);
      return new Uint8Array(await f.arrayBuffer());
    },
    exists: async (path) => byName.has(baseName(path)),
    join: (...parts) => parts.join('/'),
  };
}

/** Which of Fashion-MNIST's four files (each gzip or raw) are among `names`, which are missing, and which names are not Fashion-MNIST's. */
export function fashionMnistPick(names: readonly string[]): { found: string[]; missing: string[]; other: string[] } {
  if (!Array.isArray(names) || !names.every((n) => typeof n === 'string')) throw new ArgumentError(`fashionMnistPick: pass the picked files' names as an array of strings, got ${JSON.stringify(names) ?? String(names)}`);
  const wanted = Object.values(FASHION_MNIST_FILES).map((gz) => [gz, gz.replace(/\.gz$/, '')] as const);
  const found = wanted.filter(([gz, raw]) => names.includes(gz) || names.includes(raw)).map(([gz, raw]) => (names.includes(gz) ? gz : raw));
  const missing = wanted.filter(([gz, raw]) => !names.includes(gz) && !names.includes(raw)).map(([gz]) => gz);
  const other = names.filter((n) => !wanted.some(([gz, raw]) => n === gz || n === raw));
  return { found, missing, other };
}
