/**
 * Writes result files atomically (a hidden temporary file in the same folder, fsync, rename, fsync of the
 * folder), so neither a crash nor a power loss leaves a half-written result.json, report or checkpoint. NaN and
 * infinities become null, each noted in `warnings` (JSON has no NaN).
 */
import { mkdir, open, readdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/** Replaces non-finite numbers by null and returns the paths where that happened. */
export function jsonSafe(value: unknown, path = '', replaced: string[] = []): unknown {
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
    replaced.push(`${path || '(root)'} was ${String(value)}`);
    return null;
  }
  if (Array.isArray(value)) return value.map((v, i) => jsonSafe(v, `${path}[${i}]`, replaced));
  if (value instanceof Float32Array || value instanceof Float64Array) return Array.from(value, (v, i) => jsonSafe(v, `${path}[${i}]`, replaced));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = jsonSafe(v, path ? `${path}.${k}` : k, replaced);
    return out;
  }
  return value;
}

// Temporary files are hidden (.name.pid.tmp) so that a process killed while writing one leaves no
// visible partial file; removeStaleTemporaries deletes such leftovers.
const TMP = /^\..+\.\d+\.tmp$/;

/** Writes `text` to dir/name atomically and durably; returns the path. */
export async function writeTextAtomic(dir: string, name: string, text: string): Promise<string> {
  await mkdir(dir, { recursive: true });
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
