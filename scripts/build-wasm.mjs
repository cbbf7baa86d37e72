// Compiles the AssemblyScript kernels (assembly/*.ts) into the three WASM variants listed in asconfig.json:
//   build/wasm/featurelab-simd.wasm          f32x4 SIMD, imported non-shared memory
//   build/wasm/featurelab-simd-threads.wasm  f32x4 SIMD + threads, imported shared memory (worker pool)
//   build/wasm/featurelab-scalar.wasm        no SIMD (engines without WebAssembly SIMD)
// The library bundle embeds them as bytes (esbuild --loader:.wasm=binary).
// Skips the build when every output is newer than its inputs; `--force` rebuilds.
// Usage: node scripts/build-wasm.mjs [--force] [target ...]
import asc from 'assemblyscript/asc';
import { mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const config = JSON.parse(readFileSync(join(root, 'asconfig.json'), 'utf8'));
const argv = process.argv.slice(2);
const force = argv.includes('--force');
const only = argv.filter((a) => !a.startsWith('--'));
const targets = Object.keys(config.targets).filter((t) => only.length === 0 || only.includes(t));
for (const t of only) {
  if (!config.targets[t]) {
    console.error(`build-wasm: unknown target '${t}'; asconfig.json has ${Object.keys(config.targets).join(', ')}`);
    process.exit(2);
  }
}

const mtime = (p) => {
  try {
    return statSync(p).mtimeMs;
  } catch {
    return -1;
  }
};
const inputs = [
  join(root, 'asconfig.json'),
  fileURLToPath(import.meta.url),
  ...readdirSync(join(root, 'assembly')).filter((f) => f.endsWith('.ts')).map((f) => join(root, 'assembly', f)),
];
const newestInput = Math.max(...inputs.map(mtime));

let failed = false;
for (const target of targets) {
  const outFile = join(root, config.targets[target].outFile);
  if (!force && mtime(outFile) > newestInput) {
    console.log(`build-wasm: ${config.targets[target].outFile} is up to date`);
    continue;
  }
  mkdirSync(dirname(outFile), { recursive: true });
  const t0 = performance.now();
  let errText = '';
  const { error } = await asc.main(
    ['--config', join(root, 'asconfig.json'), '--target', target, '--outFile', outFile],
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
