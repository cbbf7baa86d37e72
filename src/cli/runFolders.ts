/**
 * Finding run folders (a folder holding a result.json) at or below a folder, as `merge` and `report` take them:
 * a run's own --out, a sweep's --out (DIR/<id>/) or a named sweep's (DIR/<name>/<id>/).
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import { pathExists } from './nodeFiles.js';

/** The folders holding a result.json at or below `dir`, two levels deep, in name order; `command` names the caller in errors. */
export async function findRunFolders(dir: string, command: string, depth = 0): Promise<string[]> {
  if (await pathExists(join(dir, 'result.json'))) return [dir];
  if (depth >= 2) return [];
  let entries: { name: string; isDirectory(): boolean }[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    if (depth === 0) throw new ConfigError(`${command}: cannot read folder ${dir} (${e instanceof Error ? e.message : String(e)}); pass run folders or sweep output folders`);
    return [];
  }
  const found: string[] = [];
  for (const e of entries.filter((x) => x.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) found.push(...await findRunFolders(join(dir, e.name), command, depth + 1));
  return found;
}
