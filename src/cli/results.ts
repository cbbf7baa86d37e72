/**
 * Writes result files atomically (a hidden temporary file in the same folder, fsync, rename, fsync of the
 * folder), so neither a crash nor a power loss leaves a half-written result.json (whose contents
 * src/experiments/resultFile.ts builds), report or checkpoint.
 */
import { open, readdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { OutputFolderError } from '../errors.js';
import { makeFolder } from './makeFolder.js';

// Temporary files are hidden (.name.pid.tmp) so that a process killed while writing one leaves no
// visible partial file; removeStaleTemporaries deletes such leftovers.
const TMP = /^\..+\.\d+\.tmp$/;

/** Writes `text` to dir/name atomically and durably; returns the path. OutputFolderError when it cannot (disk full…). */
export async function writeTextAtomic(dir: string, name: string, text: string): Promise<string> {
  const path = join(dir, name);
  const tmp = join(dir, `.${name}.${process.pid}.tmp`);
  try {
    await makeFolder(dir);
    const file = await open(tmp, 'w');
    try {
      await file.writeFile(text);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, path);
  } catch (e) {
    // A partial temporary file would only take space (and a full disk is the usual cause): remove it.
    await unlink(tmp).catch(() => {});
    throw writeError(path, e);
  }
  // The rename itself is durable only once the folder's entry is on disk.
  const folder = await open(dir, 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
  return path;
}

/** The OutputFolderError for a failed write of `path`: what the system said, and what to do about it. */
function writeError(path: string, e: unknown): OutputFolderError {
  const code = (e as NodeJS.ErrnoException).code;
  const fix = code === 'ENOSPC' || code === 'EDQUOT' ? 'the disk is full: free some space or pass another --out'
    : code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'pass a folder you can write to'
    : 'check that path, or pass another --out';
  return new OutputFolderError(`cannot write ${path} (${e instanceof Error ? e.message : String(e)}); ${fix}. A file already there under that name is unchanged`);
}

/** Deletes temporary files that a killed writer left in `dir` (none while another writer is at work there). */
export async function removeStaleTemporaries(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const n of names) if (TMP.test(n)) await unlink(join(dir, n)).catch(() => {});
}

/** Writes `data` as pretty JSON to dir/name atomically; returns the path. */
export function writeJsonAtomic(dir: string, name: string, data: unknown): Promise<string> {
  return writeTextAtomic(dir, name, `${JSON.stringify(data, null, 2)}\n`);
}
