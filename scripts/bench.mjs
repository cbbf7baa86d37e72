// Runs the benchmarks: `npm run bench -- <name> [options]` bundles bench/<name>.ts with esbuild into
// build/bench/<name>.mjs and runs it with node; `npm run bench` with no name runs every bench/*.ts in turn.
// Options after the name go to the benchmark (see bench/README.md).
//
// featurelab's backend modules that do not exist yet, or do not build, are replaced in the bundle by a module
// that throws why, so the benchmark shows that column as n/a (reason) instead of failing to build.
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sharedOptions } from './build.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const benchDir = join(root, 'bench');
const outDir = join(root, 'build', 'bench');

// Defaults for WebGPU on a machine without a GPU (Dawn + SwiftShader, see docs/webgpu-on-cpu.md).
const env = { ...process.env };
const swiftshader = '/usr/lib/chromium/vk_swiftshader_icd.json';
if (!env.VK_ICD_FILENAMES && existsSync(swiftshader)) env.VK_ICD_FILENAMES = swiftshader;
env.XDG_RUNTIME_DIR ??= '/tmp';

const args = process.argv.slice(2);
const available = readdirSync(benchDir).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3)).sort();
const names = args.length && !args[0].startsWith('--') ? [args.shift()] : available;
for (const name of names) {
  if (!available.includes(name)) {
    console.error(`no benchmark bench/${name}.ts (have: ${available.join(', ') || 'none'})`);
    process.exit(2);
  }
}

/** featurelab modules imported by the benchmarks that may be missing or broken while being written. */
const optionalModule = /^(\.\.\/)+src\/backend\/(wasm|webgpu)\/[A-Za-z]+\.js$/;
const checked = new Map();

/** Builds one featurelab module alone; returns null when it builds, else the reason. */
async function whyBroken(file) {
  if (!existsSync(file)) return `${relative(root, file)} does not exist yet`;
  try {
    await esbuild.build({ ...sharedOptions, platform: 'node', entryPoints: [file], write: false, logLevel: 'silent' });
    return null;
  } catch (e) {
    const first = e.errors?.[0];
    const where = first?.location ? `${first.location.file}:${first.location.line}: ` : '';
    return `${relative(root, file)} does not build: ${where}${first?.text ?? e.message}`;
  }
}

const optionalModules = {
  name: 'featurelab-optional-backends',
  setup(build) {
    build.onResolve({ filter: optionalModule }, async (argsR) => {
      const file = resolve(argsR.resolveDir, argsR.path.replace(/\.js$/, '.ts'));
      if (!checked.has(file)) checked.set(file, await whyBroken(file));
      const reason = checked.get(file);
      if (reason === null) return { path: file };
      return { path: file, namespace: 'featurelab-missing', pluginData: reason };
    });
    build.onLoad({ filter: /.*/, namespace: 'featurelab-missing' }, (argsL) => ({
      contents: `throw new Error(${JSON.stringify(argsL.pluginData)});\nexport {};\n`,
      loader: 'js',
    }));
  },
};

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
    plugins: [optionalModules],
  });
  for (const [file, reason] of checked) if (reason) console.log(`note: ${relative(root, file)} replaced: ${reason}`);
  console.log(`\n=== bench ${name} ===`);
  const run = spawnSync(process.execPath, [outfile, ...args], { cwd: root, env, stdio: 'inherit' });
  if (run.status !== 0) {
    console.error(`bench ${name} exited with ${run.status ?? run.signal}`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
