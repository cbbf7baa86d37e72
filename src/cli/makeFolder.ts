/**
 * Creates a folder and its missing parents. Node's `mkdir(dir, { recursive: true })` spins forever at full CPU
 * when a parent exists but cannot hold the child (a path under /proc, a dangling symbolic link): the child's
 * mkdir fails with ENOENT, Node makes the parent again (EEXIST), and retries. Here the walk only goes forward,
 * so such a path fails with the child's error at once.
 */
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/** Creates `dir` and any missing parents, one level at a time; throws the fs error of the first level that fails. */
export async function makeFolder(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let at = resolve(dir); ; at = dirname(at)) {
    try {
      await stat(at);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    if (dirname(at) === at) break;
    missing.push(at);
  }
  for (const level of missing.reverse()) {
    try {
      await mkdir(level);
    } catch (e) {
      // Made meanwhile by another process, or a dangling link: the next level's mkdir says what is wrong.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}
