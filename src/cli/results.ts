/**
 * Writes result files atomically (a hidden temporary file in the same folder, fsync, rename, fsync of the
 * folder), so neither a crash nor a power loss leaves a half-written result.json (whose contents
 * src/experiments/resultFile.ts builds), report or checkpoint.
 */
import { open, readdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { makeFolder } from './makeFolder.js';

// Temporary files are hidden (.name.pid.tmp) so that a process killed while writing one leaves no
// visible partial file; removeStaleTemporaries deletes such leftovers.
const TMP = /^\..+\.\d+\.tmp$/;

/** Writes `text` to dir/name atomically and durably; returns the path. */
export async function writeTextAtomic(dir: string, name: string, text: string): Promise<string> {
  await makeFolder(dir);
  const path = join(dir, name);
  const tmp = join(dir, `.${name}.${process.pid}.tmp`);
  const file = await open(tmp, 'w');
  try {
    await file.writeFile(text);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(tmp, path);
  // The rename itself is durable only once the folder's entry is on disk.
  const folder = await open(dir, 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
  return path;
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
