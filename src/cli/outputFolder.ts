/**
 * The output folder of a command, checked before any work: created (with its parents) and writable, else an
 * OutputFolderError naming it, so a run never trains for an hour and then fails to write its result. While a
 * run writes to a folder it holds DIR/.featurelab.lock (its pid), and a second process on the same folder is
 * refused instead of overwriting the first one's checkpoint and result; a lock whose process is gone (a
 * crash, SIGKILL) is taken over.
 */
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { makeFolder } from './makeFolder.js';
import { OutputFolderError } from '../errors.js';

/** The lock file's name inside an output folder (hidden: no command reads it as a result). */
export const LOCK_FILE = '.featurelab.lock';

/** Creates `dir` if needed and checks that it is a folder; OutputFolderError otherwise. */
export async function prepareOutputFolder(dir: string, flag = '--out'): Promise<void> {
  if (dir.trim() === '') throw new OutputFolderError(`${flag} is empty; pass the folder to write to, e.g. ${flag} results/run1`);
  try {
    await makeFolder(dir);
    if (!(await stat(dir)).isDirectory()) throw new Error('it is not a folder');
  } catch (e) {
    throw new OutputFolderError(`${flag} ${dir}: cannot use it as the output folder (${describe(e)}); pass a folder you can write to, or a path that does not exist yet`);
  }
}

/** Whether a process with this pid is running (EPERM: it runs, as another user). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes `dir`'s lock for this process (after prepareOutputFolder); returns its release. Refused with an
 * OutputFolderError while a live process (this one included) holds it; a dead holder's lock is taken over.
 */
export async function lockOutputFolder(dir: string, flag = '--out'): Promise<() => Promise<void>> {
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; ; attempt++) {
    try {
      const file = await open(path, 'wx');
      try {
        await file.writeFile(`${process.pid}\n`);
      } finally {
        await file.close();
      }
      return () => unlink(path).catch(() => {});
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new OutputFolderError(`${flag} ${dir}: cannot write in it (${describe(e)}); pass a folder you can write to`);
      }
    }
    const holder = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
    if (Number.isInteger(holder) && holder > 0 && processAlive(holder)) {
      throw new OutputFolderError(`${flag} ${dir} is in use by another featurelab process (pid ${holder}); wait for it to finish or pass another ${flag}. If no such process runs, delete ${path}`);
    }
    // The holder is gone (or the file is unreadable half-written): take the lock over, once.
    if (attempt > 0) throw new OutputFolderError(`${flag} ${dir}: cannot take its lock ${path}; delete that file if no featurelab process writes there`);
    await unlink(path).catch(() => {});
  }
}

/** An fs error's code and message, for error texts. */
function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
