/**
 * Writing output files. makeFolder: where Node's own recursive mkdir never returns (a parent that exists but cannot
 * hold the child: a dangling symbolic link, a path under /proc) it must fail at once with the child's error, and still
 * create nested folders, accept an existing one and survive two callers racing. writeTextAtomic: a write that fails
 * (disk full, a folder in the file's place) is an OutputFolderError naming the file and the fix, and leaves no
 * temporary file behind. Node only (node:fs).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { makeFolder } from '../src/cli/makeFolder.js';
import { writeTextAtomic } from '../src/cli/results.js';
import { OutputFolderError } from '../src/errors.js';
import { nodeOnly } from './support/backends.js';
import { inTempDir } from './support/tempDir.js';

const s = suite('output files: makeFolder, writeTextAtomic');

/** The error `promise` rejects with, or a failure if it settles otherwise or not within `ms` (a hang is the bug). */
async function rejection(promise: Promise<unknown>, ms = 5000): Promise<NodeJS.ErrnoException> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, fail) => { timer = setTimeout(() => fail(new Error(`no answer within ${ms} ms`)), ms); });
  try {
    await Promise.race([promise, hang]);
  } catch (e) {
    if (e instanceof Error && /no answer within/.test(e.message)) throw e;
    return e as NodeJS.ErrnoException;
  } finally {
    clearTimeout(timer);
  }
  throw new Error('it resolved; a rejection was expected');
}

nodeOnly(s, 'creates every missing level, accepts an existing folder, and two callers racing both succeed', () => inTempDir('fl-mkdir-', async (dir) => {
  const deep = join(dir, 'a', 'b', 'c');
  await makeFolder(deep);
  assert.ok(statSync(deep).isDirectory());
  await makeFolder(deep);
  const raced = join(dir, 'x', 'y', 'z');
  await Promise.all([makeFolder(raced), makeFolder(raced), makeFolder(join(raced, 'w'))]);
  assert.ok(statSync(join(raced, 'w')).isDirectory());
}));

nodeOnly(s, 'under a dangling symbolic link it fails at once with ENOENT (Node\'s recursive mkdir spins forever there)', () => inTempDir('fl-mkdir-', async (dir) => {
  const link = join(dir, 'dangling');
  symlinkSync(join(dir, 'no-such-target'), link);
  const e = await rejection(makeFolder(join(link, 'out', 'run1')));
  assert.is(e.code, 'ENOENT');
  assert.not.ok(existsSync(join(dir, 'no-such-target')), 'nothing made through the link');
}));

nodeOnly(s, 'under /proc (exists, holds no new folders) it fails at once; under a file with ENOTDIR', () => inTempDir('fl-mkdir-', async (dir) => {
  if (existsSync('/proc/self')) assert.is((await rejection(makeFolder('/proc/featurelab-no-such-folder/run'))).code, 'ENOENT');
  else console.log('  (no /proc here: that case is not run)');
  const file = join(dir, 'afile');
  writeFileSync(file, 'not a folder');
  assert.is((await rejection(makeFolder(join(file, 'run')))).code, 'ENOTDIR');
}));

nodeOnly(s, 'writeTextAtomic writes and replaces a file whole; a failed write is an OutputFolderError naming the file and leaves no temporary file', () => inTempDir('fl-mkdir-', async (dir) => {
  const out = join(dir, 'run');
  assert.is(await writeTextAtomic(out, 'result.json', '{"a": 1}\n'), join(out, 'result.json'));
  await writeTextAtomic(out, 'result.json', '{"a": 2}\n');
  assert.is(readFileSync(join(out, 'result.json'), 'utf8'), '{"a": 2}\n');
  // A folder where the file should go: the rename fails (EISDIR) after the temporary file was written.
  mkdirSync(join(out, 'report.html'));
  const e = await rejection(writeTextAtomic(out, 'report.html', '<p>'));
  assert.ok(e instanceof OutputFolderError, String(e));
  assert.match(e.message, /^cannot write .*run\/report\.html \(E\w+: .*\); check that path, or pass another --out\. A file already there under that name is unchanged$/);
  assert.equal(readdirSync(out).sort(), ['report.html', 'result.json'], 'no .tmp file left');
  const link = join(dir, 'dangling');
  symlinkSync(join(dir, 'no-such-target'), link);
  const under = await rejection(writeTextAtomic(join(link, 'run'), 'result.json', '{}'));
  assert.ok(under instanceof OutputFolderError && /\(ENOENT: /.test(under.message), String(under));
}));

s.run();
