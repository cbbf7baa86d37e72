/**
 * Writes result files atomically (temporary file, then rename), so a crash never leaves a half-written
 * result.json (whose contents src/experiments/resultFile.ts builds).
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Writes `data` as pretty JSON to dir/name atomically; returns the path. */
export async function writeJsonAtomic(dir: string, name: string, data: unknown): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, name);
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(data, null, 2)}\n`);
  await rename(tmp, path);
  return path;
}
