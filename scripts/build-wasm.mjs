// Compiles the AssemblyScript kernels (assembly/*.ts) into the three WASM variants listed in asconfig.json:
//   build/wasm/featurelab-simd.wasm          f32x4 SIMD, imported non-shared memory
//   build/wasm/featurelab-simd-threads.wasm  f32x4 SIMD + threads, imported shared memory (worker pool)
//   build/wasm/featurelab-scalar.wasm        no SIMD (engines without WebAssembly SIMD)
// and the f64 linear-algebra module (assembly/linalg/*.ts) listed in asconfig.linalg.json:
//   build/wasm/featurelab-linalg.wasm        f64x2 SIMD, imported memory (src/linalg/wasmLinalg.ts)
// and the generator's bulk draws (assembly/rng/*.ts) listed in asconfig.rng.json:
//   build/wasm/featurelab-rng.wasm           scalar, imported memory, < 4 KiB (src/rngKernels.ts)
// The library bundle embeds them as bytes (esbuild --loader:.wasm=binary).
// Skips the build when every output is newer than its inputs; `--force` rebuilds.
// Usage: node scripts/build-wasm.mjs [--force] [target ...]
import asc from 'assemblyscript/asc';
import { mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const mtime = (p) => {
  try {
    return statSync(p).mtimeMs;
  } catch {
    return -1;
  }
};
/** The .ts files directly inside an assembly/ folder. */
const sources = (dir) => readdirSync(join(root, dir)).filter((f) => f.endsWith('.ts')).map((f) => join(root, dir, f));
// Each config with the sources its targets depend on (an edit to one module does not rebuild the other).
const configs = [
  { file: 'asconfig.json', dir: 'assembly' },
  { file: 'asconfig.linalg.json', dir: 'assembly/linalg' },
  { file: 'asconfig.rng.json', dir: 'assembly/rng' },
].map(({ file, dir }) => {
  const path = join(root, file);
  const config = JSON.parse(readFileSync(path, 'utf8'));
  const inputs = [path, fileURLToPath(import.meta.url), ...sources(dir)];
  return { path, config, newestInput: Math.max(...inputs.map(mtime)) };
});
const argv = process.argv.slice(2);
const force = argv.includes('--force');
const only = argv.filter((a) => !a.startsWith('--'));
const all = configs.flatMap((c) => Object.keys(c.config.targets).map((target) => ({ ...c, target })));
const targets = all.filter((t) => only.length === 0 || only.includes(t.target));
for (const t of only) {
  if (!all.some((a) => a.target === t)) {
    console.error(`build-wasm: unknown target '${t}'; the asconfig files have ${all.map((a) => a.target).join(', ')}`);
    process.exit(2);
  }
}

let failed = false;
for (const { path, config, newestInput, target } of targets) {
  const outFile = join(root, config.targets[target].outFile);
  if (!force && mtime(outFile) > newestInput) {
    console.log(`build-wasm: ${config.targets[target].outFile} is up to date`);
    continue;
  }
  mkdirSync(dirname(outFile), { recursive: true });
  const t0 = performance.now();
  let errText = '';
  const { error } = await asc.main(
    ['--config', path, '--target', target, '--outFile', outFile],
    {
      stdout: { write: (s) => { process.stdout.write(s); return true; } },
      stderr: { write: (s) => { errText += s; return true; } },
    },
  );
  if (error) {
    failed = true;
    console.error(`build-wasm: target '${target}' failed: ${error.message}\n${errText}`);
    continue;
  }
  if (errText.trim()) process.stderr.write(errText);
  const size = statSync(outFile).size;
  console.log(`build-wasm: ${config.targets[target].outFile} (${(size / 1024).toFixed(1)} KiB) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
process.exit(failed ? 1 : 0);
