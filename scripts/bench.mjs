// Runs the benchmarks: `npm run bench -- <name> [options]` bundles bench/<name>.ts with esbuild into
// build/bench/<name>.mjs and runs it with node; `npm run bench` with no name runs every bench/*.ts in turn.
// Options after the name go to the benchmark (see bench/README.md).
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sharedOptions } from './build.mjs';
import { nodeFlags } from './node-flags.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const benchDir = join(root, 'bench');
const outDir = join(root, 'build', 'bench');

// Defaults for WebGPU on a machine without a GPU (Dawn + SwiftShader, see ../shared/docs/webgpu-on-cpu.md). A
// driver list set by the caller, even empty (the Vulkan loader chooses), is left alone.
const env = { ...process.env };
const swiftshader = '/usr/lib/chromium/vk_swiftshader_icd.json';
if (env.VK_ICD_FILENAMES === undefined && env.VK_DRIVER_FILES === undefined && existsSync(swiftshader)) env.VK_ICD_FILENAMES = swiftshader;
env.XDG_RUNTIME_DIR ??= '/tmp';

const args = process.argv.slice(2);
const available = readdirSync(benchDir).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3)).sort();
// Without a name, --help would otherwise start every benchmark (tens of minutes) with an option they ignore.
if (args[0] === '--help' || args[0] === '-h' || args[0] === 'help') {
  console.log(`usage: npm run bench -- <name> [options]   (no name: every benchmark in turn)
benchmarks: ${available.join(', ')}
options and what each benchmark measures: bench/README.md`);
  process.exit(0);
}
const names = args.length && !args[0].startsWith('--') ? [args.shift()] : available;
for (const name of names) {
  if (!available.includes(name)) {
    console.error(`no benchmark bench/${name}.ts (have: ${available.join(', ') || 'none'})`);
    process.exit(2);
  }
}

mkdirSync(outDir, { recursive: true });
let failed = false;
for (const name of names) {
  const outfile = join(outDir, `${name}.mjs`);
  await esbuild.build({
    ...sharedOptions,
    platform: 'node',
    entryPoints: [join(benchDir, `${name}.ts`)],
    outfile,
    // Peers are loaded from node_modules as they ship (they load their own .wasm files at run time).
    external: [...sharedOptions.external, '@tensorflow/*', '@jax-js/*'],
  });
  console.log(`\n=== bench ${name} ===`);
  const run = spawnSync(process.execPath, [...nodeFlags, outfile, ...args], { cwd: root, env, stdio: 'inherit' });
  if (run.status !== 0) {
    console.error(`bench ${name} exited with ${run.status ?? run.signal}`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
