/** Spawning the built CLI from Node-only tests, and the data files it reads. */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tinyFashion } from './tinyFashion.js';

/** Writes the tiny Fashion-MNIST stand-in's four IDX files into `dir` (created), for `--set dataDir=…`. */
export async function writeTinyFashion(dir: string): Promise<void> {
  const fashion = tinyFashion();
  mkdirSync(dir, { recursive: true });
  for (const name of ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) {
    writeFileSync(join(dir, name), await fashion.read(`/data/${name}`));
  }
}

/** Runs `node dist/cli.js …args` in folder `cwd`; resolves with the exit code, stdout and stderr. */
export function runCli(cwd: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [...process.execArgv, resolve('dist/cli.js'), ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}
