// Test runner: bundles the test/*.test.ts files with the library's esbuild loaders into ES modules and runs them
// in Node (three processes, the files split by cost) and, when the npm package `deno` is installed, in Deno (all of
// them), the three side by side; then the browser tests (test/browser/*.test.mjs: the web page in Chromium). It
// ends with the line `N passed, N failed` counting them all. Most of the time goes into compiling WebGPU pipelines
// on the CPU drivers, one core per process, so side by side they keep both cores busy. Each process's output goes
// live to build/test/<filter or all>/<process>.log and is printed whole when it ends, so outputs never interleave.
// Usage: node scripts/test.mjs [--node-only] [--bundle-only] [filter]   (filter: substring of test file names;
// --node-only: no Deno, no browser; --bundle-only: write build/test/<filter or all>/tests.mjs and stop)
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { sharedOptions } from './build.mjs';
import { nodeFlags } from './node-flags.mjs';

const args = process.argv.slice(2);
const nodeOnly = args.includes('--node-only');
const bundleOnly = args.includes('--bundle-only');
const filter = args.find((a) => !a.startsWith('--')) ?? '';
const root = resolve(import.meta.dirname, '..');
// One folder per filter, so that runs with different filters can go on at the same time.
const outDir = resolve(root, 'build/test', filter ? filter.replace(/[^\w-]/g, '_') : 'all');
mkdirSync(outDir, { recursive: true });

const files = readdirSync(resolve(root, 'test')).filter((f) => f.endsWith('.test.ts') && f.includes(filter)).sort();
if (files.length === 0) {
  console.error(`no test files match '${filter}'`);
  process.exit(2);
}
/** Writes and bundles one ES module that runs the test files `list`; returns the bundle's path (outDir/<name>.mjs). */
async function bundleOf(list, name) {
  const entry = resolve(outDir, `${name}.entry.ts`);
  writeFileSync(entry, [
  `import '../../../test/support/defer.ts';`,
  ...list.map((f) => `import '../../../test/${f}';`),
  `import { exec } from 'uvu';`,
  `import { disposeAll } from '../../../dist/featurelab.js';`,
  `await exec();`,
  `const failed = (globalThis as any).process?.exitCode ?? 0;`,
  `disposeAll();`,
  `const g = globalThis as any;`,
  `if (g.Deno) g.Deno.exit(failed ? 1 : 0); else g.process.exit(failed ? 1 : 0);`,
  ].join('\n'));
  const out = resolve(outDir, `${name}.mjs`);
  // ignoreAnnotations: package.json says "sideEffects": false (true of the library), but test files are all side effects.
  await esbuild.build({ ...sharedOptions, platform: 'neutral', mainFields: ['module', 'main'], ignoreAnnotations: true, entryPoints: [entry], outfile: out });
  return out;
}
if (bundleOnly) {
  console.log(await bundleOf(files, 'tests'));
  process.exit(0);
}

const env = {
  VK_ICD_FILENAMES: '/usr/lib/chromium/vk_swiftshader_icd.json',
  XDG_RUNTIME_DIR: '/tmp',
  ...process.env,
  FORCE_COLOR: '0',
  NO_COLOR: '1',
};

/**
 * Runs the bundle in one runtime and returns its counts. Its output is echoed as it comes, or with `logFile`
 * written there as it comes and echoed whole at the end (stderr too: a crash's message is not lost).
 */
function run(runtime, command, commandArgs, extraEnv = {}, logFile = null, fileCount = files.length) {
  return new Promise((done) => {
    const title = `\n=== ${runtime}${runtime.startsWith('browser') ? '' : `: ${fileCount} test files`} ===`;
    const log = logFile ? createWriteStream(logFile) : null;
    if (log) console.log(`${title.trim()}: started, live output in ${logFile}`);
    else console.log(title);
    const child = spawn(command, commandArgs, { cwd: root, env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', log ? 'pipe' : 'inherit'] });
    let out = '';
    let shown = '';
    const echo = (d) => { if (log) { log.write(d); shown += d; } else process.stdout.write(d); };
    child.stdout.on('data', (d) => { out += d; echo(d); });
    child.stderr?.on('data', echo);
    child.on('close', (code) => {
      if (log) {
        log.end();
        console.log(`${title}\n${shown}`);
      }
      const total = Number(/Total:\s+(\d+)/.exec(out)?.[1] ?? NaN);
      const passed = Number(/Passed:\s+(\d+)/.exec(out)?.[1] ?? NaN);
      // Tests registered with nodeOnly (test/support/backends.ts) say so in other runtimes: counted as skipped.
      const notHere = (out.match(/not run here \(Node only\)/g) ?? []).length;
      const skipped = Number(/Skipped:\s+(\d+)/.exec(out)?.[1] ?? 0) + notHere;
      if (!Number.isFinite(total) || !Number.isFinite(passed)) {
        console.log(`${runtime}: the test process exited with code ${code} before printing its totals`);
        done({ passed: 0, failed: 1, skipped: 0 });
        return;
      }
      // A run that ran no test (and skipped none), or exited non-zero with every test passed, counts as a failure.
      const failed = total - passed + ((code !== 0 && total === passed) || (total === 0 && notHere === 0) ? 1 : 0);
      console.log(`${runtime}: ${passed} passed, ${failed} failed, ${skipped} skipped (exit ${code})`);
      done({ passed, failed, skipped });
    });
  });
}

/**
 * The README's Deno one-liner with no permissions: dist/deno-run.js trains a tiny modadd on navigator.gpu and
 * prints its summary. Counts as one test: passes when the JSON comes back from the webgpu backend with γ*(5)
 * (`--backend webgpu`: on a software adapter the runner would otherwise pick WASM, the faster there).
 */
function denoOneLiner(extraEnv) {
  const args = ['run', 'dist/deno-run.js', 'modadd', '--backend', 'webgpu', '--set', 'p=5', '--set', 'width=16', '--set', 'steps=200', '--set', 'probeEvery=100', '--set', 'compareRelu=false'];
  console.log(`\n=== deno: the README one-liner: deno ${args.join(' ')} ===`);
  return new Promise((done) => {
    const child = spawn(deno, args, { cwd: root, env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.on('close', (code) => {
      let problem = code === 0 ? '' : `exit ${code}: ${err.trim()}`;
      if (!problem) {
        try {
          const r = JSON.parse(out.trim().split('\n').at(-1));
          const gammaStar = Math.sqrt(2 / 27) / (Math.sqrt(5) * 4);
          if (r.backend?.name !== 'webgpu') problem = `ran on ${r.backend?.name} (${r.backend?.description}), not webgpu`;
          else if (!Number.isFinite(r.summary?.marginRatio) || Math.abs(r.summary.gammaStar - gammaStar) > 1e-12) problem = `unexpected summary ${JSON.stringify(r.summary)}`;
          else console.log(`deno one-liner: ok on ${r.backend.description}; margin / γ* ${r.summary.marginRatio.toFixed(4)}`);
        } catch (e) {
          problem = `no JSON summary on stdout (${e.message}): ${out.slice(0, 300)}`;
        }
      }
      if (problem) console.log(`deno one-liner: FAILED: ${problem}`);
      done({ passed: problem ? 0 : 1, failed: problem ? 1 : 0, skipped: 0 });
    });
  });
}

// Node runs the files in three processes: these two compile most of the matmul pipelines (webgpu-engine forces
// every tiled variant, 5 to 11 s each on SwiftShader; matmul every register-blocked one, about 0.5 s each), so
// the four processes with Deno's keep both cores busy until near the end (on 2026-11-27, d2d4c7b: 97, 285, 312
// and 316 s).
const HEAVY = ['webgpu-engine.test.ts', 'matmul.test.ts'];
const nodeShards = [files.filter((f) => !HEAVY.includes(f)), ...HEAVY.map((h) => files.filter((f) => f === h))].filter((list) => list.length > 0);
const deno = resolve(root, 'node_modules/.bin/deno');
// Deno runs on Mesa's lavapipe when it is installed (Dawn in Node rejects it), so two drivers are covered.
const lavapipe = '/usr/share/vulkan/icd.d/lvp_icd.x86_64.json';
const denoEnv = existsSync(lavapipe) ? { VK_ICD_FILENAMES: lavapipe } : {};
const withDeno = !nodeOnly && existsSync(deno);
// The bundle of every file: Deno's, and Node's when it runs in one process.
const bundle = withDeno || nodeShards.length === 1 ? await bundleOf(files, 'tests') : null;
const nodeRuns = nodeShards.length > 1
  ? await Promise.all(nodeShards.map(async (list, i) => ({ name: `node ${i + 1}/${nodeShards.length}`, list, bundle: await bundleOf(list, `node-${i + 1}`) })))
  : [{ name: 'node', list: files, bundle }];
const sideBySide = withDeno || nodeRuns.length > 1;
const logOf = (name) => (sideBySide ? resolve(outDir, `${name.replace(/\W+/g, '-')}.log`) : null);
const results = await Promise.all([
  ...nodeRuns.map((r) => run(r.name, process.execPath, [...nodeFlags, r.bundle], {}, logOf(r.name), r.list.length)),
  ...(withDeno ? [run('deno', deno, ['run', '-A', '--quiet', bundle], denoEnv, logOf('deno'))] : []),
]);
if (!nodeOnly) {
  if (!withDeno) console.log('deno: not installed (npm package `deno`), skipped');
  // The web page in Chromium (test/browser/, plain ES modules, not bundled): its own uvu totals, counted below.
  // After the others, which would slow its timed waits; the Deno one-liner (one core for ~10 s) goes beside it.
  const browserTests = readdirSync(resolve(root, 'test/browser')).filter((f) => f.endsWith('.test.mjs') && f.includes(filter)).sort();
  const browserRuns = (async () => {
    const out = [];
    for (const f of browserTests) out.push(await run(`browser (${f})`, process.execPath, [...nodeFlags, resolve(root, 'test/browser', f)], {}, resolve(outDir, `browser-${f}.log`)));
    return out;
  })();
  results.push(...(await Promise.all([withDeno ? denoOneLiner(denoEnv) : null, browserRuns])).flat().filter((r) => r !== null));
}
const sum = (k) => results.reduce((s, r) => s + r[k], 0);
console.log(`\n${sum('passed')} passed, ${sum('failed')} failed, ${sum('skipped')} skipped`);
process.exit(sum('failed') > 0 ? 1 : 0);
