/**
 * Where the CLI may write: inside the output folder the user named, nowhere else. Names that come from
 * files (sweep.json, configs) are checked here: a relative path of plain segments — no '..', no absolute
 * path, no drive letter or backslash — and, once resolved through symbolic links, still inside the folder.
 */
import { realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ConfigError } from '../errors.js';

/** A name safe to place under an output folder: plain segments of letters, digits, '.', '_', '-', joined by '/'. */
export function checkRelativeName(name: string, what: string): string {
  const segments = name.split('/');
  const bad = name === '' || isAbsolute(name) || /[\\:\0]/.test(name)
    || segments.some((s) => s === '' || s === '.' || s === '..' || !/^[\w.-]+$/.test(s));
  if (bad) {
    throw new ConfigError(`${what} '${name}' is not a safe folder name: use relative segments of letters, digits, '.', '_' and '-' (no '..', no absolute path, no empty segment), e.g. 'lr-sweep/run1'`);
  }
  return name;
}

/** The deepest existing ancestor of `path`, resolved through symbolic links, plus the part that does not exist yet. */
async function realpathOfExisting(path: string): Promise<string> {
  let head = resolve(path);
  const tail: string[] = [];
  for (;;) {
    try {
      return join(await realpath(head), ...tail);
    } catch {
      const parent = resolve(head, '..');
      if (parent === head) return join(head, ...tail);
      tail.unshift(relative(parent, head));
      head = parent;
    }
  }
}

/** `root/name` after checking that `name` is safe and that, through symbolic links, it stays inside `root`. */
export async function insideOut(root: string, name: string, what: string): Promise<string> {
  checkRelativeName(name, what);
  const base = await realpathOfExisting(root);
  const target = await realpathOfExisting(join(root, name));
  const rel = relative(base, target);
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    throw new ConfigError(`${what} '${name}' resolves to ${target}, outside the output folder ${base} (a symbolic link?); remove the link or choose another --out`);
  }
  return join(root, name);
}
