/**
 * Writes result files atomically (temporary file, then rename), so a crash never leaves a half-written
 * result.json or report.html. NaN and infinities become null, each noted in `warnings` (JSON has no NaN).
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
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

/** Writes `data` as pretty JSON to dir/name atomically; returns the path. */
export async function writeJsonAtomic(dir: string, name: string, data: unknown): Promise<string> {
  return writeTextAtomic(dir, name, `${JSON.stringify(data, null, 2)}\n`);
}

/** Writes `text` to dir/name atomically (temporary file, then rename); returns the path. */
export async function writeTextAtomic(dir: string, name: string, text: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, name);
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, path);
  return path;
}
