/**
 * Bad input and the tools for runs at scale: IDX size limits (header and gzip bomb), config files (unknown
 * keys, wrong types, inherited names, non-finite values) and the experiments' validate rules (p prime, at most 12 interaction variables,
 * k ≤ width, k ≤ n), sweep expansion / run ids / shards (Slurm and Kubernetes), path traversal refused (names
 * with '..', absolute names, a symbolic link out of the output folder), merge, GDE from a merged set, and the
 * determinism report; the library bundle uses no network API and no eval.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, DataFormatError } from '../src/errors.js';
import { gunzip, parseIdx } from '../src/data/idx.js';
import { buildConfig, parseConfigText } from '../src/experiments/config.js';
import { EXPERIMENTS, findExperiment } from '../src/experiments/index.js';
import { patchOfPixel } from '../src/experiments/interactions.js';
import { canonicalJson } from '../src/canonicalJson.js';
import { autoShard, expandSweep, fnv1a64, parseShard, parseSweepSpec, runId, shardRuns } from '../src/cli/sweepPlan.js';
import { checkRelativeName, insideOut } from '../src/cli/paths.js';
import { mergeCommand } from '../src/cli/sweep.js';
import { compareNumbers, determinismReport, resultNumbers } from '../src/cli/determinism.js';
import { parseDenoArgs } from '../src/deno/args.js';
import { testBackends } from './support/backends.js';
import { gzip, idxBytes, memoryFiles } from './support/idxFiles.js';

const s = suite('robust');
const wasm = testBackends.find((b) => b.name === 'wasm')!;

/** Asserts that `f` throws (or rejects with) an error of class `cls` whose message matches every pattern. */
async function fails(f: () => unknown, cls: new (...a: never[]) => Error, ...patterns: RegExp[]): Promise<void> {
  try {
    await f();
  } catch (e) {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${String(e)}`);
    for (const p of patterns) assert.match((e as Error).message, p);
    return;
  }
  assert.unreachable(`expected ${cls.name}`);
}

s('IDX: a header declaring more than the size limit is refused before allocating; a gzip bomb stops at the limit', async () => {
  const huge = idxBytes('f64', [65536, 65536], []); // 32 GiB declared, 12 bytes present
  await fails(() => parseIdx(huge, 'huge.idx'), DataFormatError, /^huge\.idx: /, /65536×65536 f64/, /limit/, /fetch it again/);
  const zeros = await gzip(new Uint8Array(1 << 20)); // 1 MiB of zeros → about 1 KiB
  await fails(() => gunzip(zeros, 'bomb.gz', 4096), DataFormatError, /^bomb\.gz: /, /more than 4096 bytes/);
  assert.is((await gunzip(zeros, 'fine.gz')).length, 1 << 20);
});

s('config files: unknown and inherited keys, wrong types, non-finite numbers, non-objects and bad JSON are ConfigErrors naming the file', async () => {
  const exp = findExperiment('modadd');
  const good = buildConfig(exp, 'quick', ['width=20'], { p: 13, compareRelu: false }, 'c.json');
  assert.is(good.p, 13);
  assert.is(good.width, 20, '--set applies after the file');
  assert.is(good.compareRelu, false);
  await fails(() => buildConfig(exp, 'quick', [], { q: 1 }, 'c.json'), ConfigError, /^c\.json: unknown config key 'q'/, /width/);
  await fails(() => buildConfig(exp, 'quick', [], JSON.parse('{"__proto__": {"p": 3}}'), 'c.json'), ConfigError, /unknown config key '__proto__'/);
  await fails(() => buildConfig(exp, 'quick', ['toString=1']), ConfigError, /unknown config key 'toString'/);
  await fails(() => buildConfig(exp, 'constructor', []), ConfigError, /unknown preset/);
  await fails(() => buildConfig(exp, 'quick', [], { p: '17' }, 'c.json'), ConfigError, /p must be a number/, /"17"/);
  await fails(() => buildConfig(exp, 'quick', [], { steps: Infinity }, 'c.json'), ConfigError, /finite/);
  // Range checks of the file's values name the file; a --set that replaces the value is named as before.
  await fails(() => buildConfig(exp, 'quick', [], parseConfigText('{"lr": 1e400}', 'cfg.json'), 'cfg.json'), ConfigError, /^cfg\.json: modadd: lr must be a finite number, got Infinity/);
  await fails(() => buildConfig(exp, 'quick', [], { width: 20.5 }, 'cfg.json'), ConfigError, /^cfg\.json: modadd: width must be an integer/);
  await fails(() => buildConfig(exp, 'quick', [], { lr: -1 }, 'cfg.json'), ConfigError, /^cfg\.json: modadd: lr must be ≥ 0/);
  await fails(() => buildConfig(exp, 'quick', [], { act: 'tanh' }, 'cfg.json'), ConfigError, /^cfg\.json: modadd: act must be one of/);
  await fails(() => buildConfig(exp, 'quick', ['lr=-1'], { lr: 0.1 }, 'cfg.json'), ConfigError, /^modadd: lr must be ≥ 0/);
  assert.is(buildConfig(exp, 'quick', ['lr=0.1'], { lr: -1 }, 'cfg.json').lr, 0.1, 'a --set replaces a bad file value');
  // A rate or scale of 0 trains nothing (all-zero weights have a zero gradient): refused here, so a sweep refuses it before any run.
  await fails(() => buildConfig(exp, 'quick', ['initStd=0']), ConfigError, /^modadd: initStd must be > 0, got 0$/);
  await fails(() => buildConfig(exp, 'quick', ['lr=0']), ConfigError, /^modadd: lr must be > 0, got 0$/);
  // A doubling schedule beyond 2^30 (here 2^10000) diverges for sure: refused before training.
  await fails(() => buildConfig(exp, 'quick', ['doubleEvery=1']), ConfigError, /^modadd: doubleUntil \/ doubleEvery = 10000 \/ 1 doubles lr 10000 times \(× 2\^10000\); at most 30: raise doubleEvery or lower doubleUntil/);
  await fails(() => buildConfig(findExperiment('group'), 'quick', ['doubleEvery=300']), ConfigError, /^group: doubleUntil \/ doubleEvery = 10000 \/ 300 doubles lr 33 times/);
  assert.is(buildConfig(findExperiment('group'), 'quick', ['doubleEvery=334']).doubleEvery, 334, '29 doublings are allowed');
  for (const name of EXPERIMENTS.map((e) => e.name)) {
    const e = findExperiment(name);
    for (const key of ['lr', 'initStd', 'initScale', 'netLr', 'netLossTol'].filter((k) => Object.hasOwn(e.keys, k))) {
      await fails(() => buildConfig(e, 'quick', [`${key}=0`]), ConfigError, new RegExp(`^${name}: ${key} must be > 0, got 0$`));
    }
  }
  // A rule across keys (modadd: p an odd prime) names the file when one of the keys it mentions came from it.
  await fails(() => buildConfig(exp, 'quick', [], { p: 15 }, 'cfg.json'), ConfigError, /^cfg\.json: modadd: p must be an odd prime.* \(the file sets p\)$/);
  await fails(() => buildConfig(exp, 'quick', ['p=15'], { lr: 0.1 }, 'cfg.json'), ConfigError, /^modadd: p must be an odd prime/);
  await fails(() => buildConfig(exp, 'quick', [], [1, 2], 'c.json'), ConfigError, /JSON object/, /an array/);
  await fails(() => parseConfigText('{"p": 17,}', 'bad.json'), ConfigError, /^bad\.json: not valid JSON/, /a config file is one JSON object/);
  // Sweep files and result.json files are parsed here too, each with its own hint.
  await fails(() => parseConfigText('{"experiment": "mlp",}', 'sweep.json', 'a sweep file looks like {"experiment": "mlp"}'), ConfigError,
    /^sweep\.json: not valid JSON \(.+\); a sweep file looks like \{"experiment": "mlp"\}$/);
  assert.equal(parseConfigText('\uFEFF{"p": 17}', 'bom.json'), { p: 17 }, 'a UTF-8 byte-order mark (Notepad) is not a JSON error');
  // Config files are data: an expression is not evaluated, it is a JSON error.
  await fails(() => parseConfigText('{"p": 10 + 7}', 'expr.json'), ConfigError, /not valid JSON/);
});

s('--set numbers: only plain decimals (sign, digits, fraction, exponent); hex, binary, empty, blank and Infinity are ConfigErrors naming the key and the text', async () => {
  const exp = findExperiment('modadd');
  for (const [text, want] of [['0.5', 0.5], ['.5', 0.5], ['5.', 5], ['+2', 2], ['1e-3', 0.001], ['2.5E+2', 250]] as const) {
    assert.is(buildConfig(exp, 'quick', [`lr=${text}`]).lr, want, text);
  }
  assert.is(buildConfig(exp, 'quick', ['width=40']).width, 40);
  for (const text of ['0x10', '0b1', '0o7', '1_0', '', ' ', '\u00a0', 'Infinity', '-Infinity', 'NaN', '1e', 'e3', '.', '1.2.3', '--1']) {
    await fails(() => buildConfig(exp, 'quick', [`lr=${text}`]), ConfigError, /^modadd: lr must be a plain decimal number like 0\.01/, new RegExp(`got '${text.trim().replace(/[.+]/g, '\\$&')}'`));
  }
  await fails(() => buildConfig(exp, 'quick', ['width=0x28']), ConfigError, /width must be a plain decimal/, /'0x28'/);
  await fails(() => buildConfig(exp, 'quick', ['lr=1e400']), ConfigError, /lr must be a finite number, got '1e400'/);
  await fails(() => buildConfig(exp, 'quick', ['width=40.5']), ConfigError, /width must be an integer/);
  // List-valued keys (memorization's ns, alphas, classes) take the same numbers.
  const mem = findExperiment('memorization');
  assert.is(buildConfig(mem, 'quick', ['ns=100,400,1600', 'alphas=0.5, .25']).ns, '100,400,1600');
  await fails(() => buildConfig(mem, 'quick', ['ns=100,0x10']), ConfigError, /ns must be a comma-separated list of integers ≥ 2 \(each a plain decimal number/, /'100,0x10'/);
  await fails(() => buildConfig(mem, 'quick', ['ns=100, ,400']), ConfigError, /ns must be a comma-separated list/);
  await fails(() => buildConfig(mem, 'quick', ['alphas=0.5,']), ConfigError, /alphas must be a comma-separated list/);
  await fails(() => buildConfig(mem, 'quick', ['data=fashion', 'classes=0x1,2']), ConfigError, /classes must be a comma-separated list/);
});

s('validate rules: modadd needs a prime p, interaction-tensor k ≤ hidden and k ≤ testSize, parity k ≤ n ≤ 16', async () => {
  const modadd = findExperiment('modadd');
  await fails(() => buildConfig(modadd, 'quick', ['p=15']), ConfigError, /odd prime/, /got 15/);
  await fails(() => buildConfig(modadd, 'quick', ['p=21']), ConfigError, /odd prime/, /got 21/);
  assert.is(buildConfig(modadd, 'quick', ['p=31']).p, 31);
  const tensor = findExperiment('interaction-tensor');
  await fails(() => buildConfig(tensor, 'quick', ['k=200', 'hidden=128']), ConfigError, /k \(200\) cannot exceed the hidden width \(128\)/);
  await fails(() => buildConfig(tensor, 'quick', ['k=20', 'testSize=10']), ConfigError, /cannot exceed the 10 test points/);
  await fails(() => buildConfig(tensor, 'quick', ['models=2']), ConfigError, /models must be ≥ 3/);
  await fails(() => buildConfig(findExperiment('parity'), 'quick', ['n=17']), ConfigError, /k ≤ n ≤ 16/);
  await fails(() => buildConfig(findExperiment('mlp'), 'quick', ['hidden=0']), ConfigError, /hidden must be ≥ 1/);
  const inter = findExperiment('interactions');
  await fails(() => buildConfig(inter, 'fashion', ['patches=13']), ConfigError, /patches must be ≤ 12/, /got 13/);
  await fails(() => buildConfig(inter, 'fashion', ['patches=1']), ConfigError, /patches must be ≥ 2/);
  assert.is(buildConfig(inter, 'fashion', ['patches=12']).patches, 12);
});

s('interactions on images: n patches tile the 28 × 28 image, each non-empty; n = 10 is the 2 × 5 grid', () => {
  for (let n = 2; n <= 12; n++) {
    const patch = patchOfPixel(n);
    const sizes = new Array(n).fill(0);
    patch.forEach((v) => { assert.ok(v >= 0 && v < n, `n = ${n}: patch ${v}`); sizes[v]++; });
    assert.ok(sizes.every((c) => c >= 28), `n = ${n}: patch sizes ${sizes}`);
  }
  const ten = patchOfPixel(10);
  const edges = [0, 6, 11, 17, 22];
  edges.forEach((c, band) => { assert.is(ten[c], band); assert.is(ten[14 * 28 + c], 5 + band); });
  assert.is(ten[27], 4);
  assert.is(ten[5], 0);
});

/** FNV-1a 64 of the UTF-8 bytes, then fmix64, written plainly in BigInt: the reference for fnv1a64's limb arithmetic. */
function fnv1a64Reference(text: string): string {
  const M = 0xffffffffffffffffn;
  let h = 0xcbf29ce484222325n;
  for (const b of new TextEncoder().encode(text)) h = ((h ^ BigInt(b)) * 0x100000001b3n) & M;
  h = ((h ^ (h >> 33n)) * 0xff51afd7ed558ccdn) & M;
  h = ((h ^ (h >> 33n)) * 0xc4ceb9fe1a85ec53n) & M;
  return (h ^ (h >> 33n)).toString(16).padStart(16, '0');
}

s('fnv1a64 (limbs of 16 bits) equals the plain BigInt FNV-1a + fmix64 on odd lengths, non-ASCII text and all byte values', () => {
  const texts = ['', 'a', 'é€😀', String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i))];
  for (const n of [1, 2, 3, 17, 64, 65, 127, 257, 1000]) texts.push(Array.from({ length: n }, (_, j) => String.fromCharCode((n * 7919 + j * 104729) % 0x3000)).join(''));
  for (const t of texts) assert.is(fnv1a64(t), fnv1a64Reference(t), `text of length ${t.length}`);
  assert.is.not(fnv1a64('member 1'), fnv1a64('member 2'));
});

s('sweeps: grid × seeds in a fixed order, stable distinct ids, shards that partition the runs, Slurm and Kubernetes indices', async () => {
  const spec = parseSweepSpec({ experiment: 'modadd', seeds: [0, 1, 2], grid: { width: [16, 24], p: [7, 11] }, set: { steps: 10, compareRelu: false } }, 's.json');
  const runs = expandSweep(spec);
  assert.is(runs.length, 12);
  // Grid keys sorted (p before width, width fastest), then seeds.
  assert.equal(runs.slice(0, 4).map((r) => [r.config.p, r.config.width, r.seed]), [[7, 16, 0], [7, 16, 1], [7, 16, 2], [7, 24, 0]]);
  assert.is(new Set(runs.map((r) => r.id)).size, 12);
  assert.ok(runs.every((r) => /^[0-9a-f]{12}$/.test(r.id)));
  // The id is the hash of the canonical config: key order in the file does not matter.
  const reordered = expandSweep(parseSweepSpec({ set: { compareRelu: false, steps: 10 }, grid: { p: [7, 11], width: [16, 24] }, seeds: [0, 1, 2], experiment: 'modadd' }, 't.json'));
  assert.equal(reordered.map((r) => r.id), runs.map((r) => r.id));
  assert.is(runs[0]!.id, runId('modadd', 'quick', runs[0]!.config, 0));
  assert.is(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] }), '{"a":[{"c":3,"d":2}],"b":1}');
  const shards = [0, 1, 2, 3, 4].map((i) => shardRuns(runs, parseShard(`${i}/5`)));
  assert.equal(shards.flat().map((r) => r.index).sort((a, b) => a - b), runs.map((r) => r.index));
  assert.equal(shards[2]!.map((r) => r.index), [2, 7]);
  assert.equal(autoShard({ SLURM_ARRAY_TASK_ID: '4', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '5' }), { index: 3, count: 5 });
  assert.equal(autoShard({ JOB_COMPLETION_INDEX: '2' }, 4), { index: 2, count: 4 });
  await fails(() => autoShard({ JOB_COMPLETION_INDEX: '2' }), ConfigError, /--shards N/);
  await fails(() => autoShard({}), ConfigError, /SLURM_ARRAY_TASK_ID/, /JOB_COMPLETION_INDEX/);
  await fails(() => parseShard('5/5'), ConfigError, /0 ≤ i < n/);
  // Every run is validated before any starts: one bad grid value refuses the sweep.
  await fails(() => expandSweep(parseSweepSpec({ experiment: 'modadd', grid: { p: [7, 9] } }, 'u.json')), ConfigError, /odd prime/, /got 9/);
  await fails(() => parseSweepSpec({ experiment: 'modadd', seeds: [1], extra: 1 }, 'v.json'), ConfigError, /^v\.json: unknown field 'extra'/);
});

s('path traversal: names with .., absolute names and a symbolic link out of --out are refused', async () => {
  for (const bad of ['../up', '/etc/x', 'a/../../b', 'a//b', 'c:\\x', '..', '']) {
    await fails(() => checkRelativeName(bad, 'name'), ConfigError, /not a safe folder name/);
  }
  await fails(() => parseSweepSpec({ experiment: 'modadd', name: '../../escape' }, 'evil.json'), ConfigError, /^evil\.json: "name" '\.\.\/\.\.\/escape' is not a safe folder name/);
  assert.is(checkRelativeName('lr-sweep/run_1.a', 'name'), 'lr-sweep/run_1.a');
  const root = await mkdtemp(join(tmpdir(), 'featurelab-paths-'));
  try {
    const out = join(root, 'out');
    const elsewhere = join(root, 'elsewhere');
    await mkdir(out);
    await mkdir(elsewhere);
    await symlink(elsewhere, join(out, 'link'));
    await fails(() => insideOut(out, 'link/run', 'name'), ConfigError, /outside the output folder/);
    assert.is(await insideOut(out, 'fresh/run', 'name'), join(out, 'fresh/run'), 'a folder that does not exist yet is fine');
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

s('merge: run folders become merged.json with every run and mean ± std over the seeds of each config', async () => {
  const root = await mkdtemp(join(tmpdir(), 'featurelab-merge-'));
  try {
    const write = async (dir: string, seed: number, width: number, acc: number): Promise<void> => {
      await mkdir(join(root, dir), { recursive: true });
      const summary = { trainAccuracy: acc, regime: 'x', margin: { gap: acc - 0.6, label: 'y' }, rows: [acc] };
      await writeFile(join(root, dir, 'result.json'), JSON.stringify({ experiment: 'modadd', config: { width }, seed, summary, series: { loss: [1, 0.5] } }));
    };
    await write('sweep/a1', 0, 16, 0.5);
    await write('sweep/a2', 1, 16, 0.7);
    await write('sweep/b1', 0, 24, 0.9);
    await write('single', 3, 24, 1);
    const log = console.log;
    console.log = () => {};
    try {
      assert.is(await mergeCommand([join(root, 'sweep'), join(root, 'single'), '--out', join(root, 'm')]), 0);
    } finally {
      console.log = log;
    }
    const merged = JSON.parse(await readFile(join(root, 'm', 'merged.json'), 'utf8'));
    assert.equal(merged.runs.map((r: { id: string }) => r.id), ['a1', 'a2', 'b1', 'single']);
    assert.equal(merged.runs[3].series.loss, [1, 0.5]);
    const g16 = merged.groups.find((g: { config: { width: number } }) => g.config.width === 16);
    assert.equal(g16.seeds, [0, 1]);
    assert.ok(Math.abs(g16.summary.trainAccuracy.mean - 0.6) < 1e-12);
    assert.ok(Math.abs(g16.summary.trainAccuracy.std - Math.sqrt(0.02)) < 1e-12, 'sample standard deviation');
    assert.ok(Math.abs(g16.summary.trainAccuracy.sem - Math.sqrt(0.02) / Math.SQRT2) < 1e-12, 'standard error of the mean');
    assert.is(g16.summary.regime, undefined, 'strings are not averaged');
    // One level down: each seed's sign is counted (−0.1 and +0.1), strings and arrays are left out.
    assert.equal([g16.summary['margin.gap'].positive, g16.summary['margin.gap'].negative, g16.summary['margin.gap'].n], [1, 1, 2]);
    assert.ok(Math.abs(g16.summary['margin.gap'].mean) < 1e-12);
    assert.equal(Object.keys(g16.summary).sort(), ['margin.gap', 'trainAccuracy']);
    const g24 = merged.groups.find((g: { config: { width: number } }) => g.config.width === 24);
    assert.equal([g24.summary.trainAccuracy.positive, g24.summary.trainAccuracy.negative], [2, 0]);
    assert.ok(Math.abs(g24.summary.trainAccuracy.sem - 0.05) < 1e-12, 'seeds 0.9 and 1: s.e. = |0.9 − 1| / 2');
    await fails(() => mergeCommand([join(root, 'nothing'), '--out', join(root, 'm2')]), ConfigError, /cannot read folder/);
    // A damaged result.json: the message says what such a file is, not what a config file is.
    await writeFile(join(root, 'sweep', 'a2', 'result.json'), '{"experiment": ');
    await fails(() => mergeCommand([join(root, 'sweep'), '--out', join(root, 'm3')]), ConfigError, /a2[\\/]result\.json: not valid JSON .*a result\.json is written by 'featurelab run'/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

s('gde fromMerged: the models of a merged set are measured without training; bad sets are DataFormatErrors', async () => {
  const labels = [0, 1, 2, 3, 0, 1];
  // Three models' softmax rows (10 classes): model 0 is right everywhere, 1 wrong on point 5, 2 wrong on 4 and 5.
  const model = (wrong: number[]) => labels.flatMap((y, i) => Array.from({ length: 10 }, (_, c) => (c === (wrong.includes(i) ? 9 : y) ? 0.91 : 0.01)));
  const run = (id: string, wrong: number[]) => ({ id, summary: { trainAccuracy: 1, epochs: 2 }, details: { testSoftmax: model(wrong), testLabels: labels } });
  const merged = { runs: [run('a', []), run('b', [5]), { id: 'other', summary: {}, details: {} }, run('c', [4, 5])] };
  const files = memoryFiles(new Map([['/m/merged.json', new TextEncoder().encode(JSON.stringify(merged))]]));
  const exp = findExperiment('gde');
  const r = await exp.run(buildConfig(exp, 'quick', ['fromMerged=/m/merged.json', 'bins=5']), { backend: wasm, seed: 0, files });
  assert.is(r.summary.models, 3);
  assert.is(r.summary.variant, 'merged');
  assert.ok(Math.abs((r.summary.meanTestError as number) - (0 + 1 / 6 + 2 / 6) / 3) < 1e-12);
  // Disagreements: a–b 1/6, a–c 2/6, b–c 1/6.
  assert.ok(Math.abs((r.summary.meanDisagreement as number) - 4 / 18) < 1e-12);
  assert.ok((r.summary.identityError as number) < 1e-12);
  const bad = memoryFiles(new Map([['/m/merged.json', new TextEncoder().encode(JSON.stringify({ runs: [run('a', [])] }))]]));
  await fails(() => exp.run(buildConfig(exp, 'quick', ['fromMerged=/m/merged.json']), { backend: wasm, seed: 0, files: bad }), DataFormatError, /1 run\(s\)/, /keepPredictions=true/);
  const mismatch = { runs: [run('a', []), { ...run('b', []), details: { testSoftmax: model([]), testLabels: [1, 1, 2, 3, 0, 1] } }] };
  const mm = memoryFiles(new Map([['/m/merged.json', new TextEncoder().encode(JSON.stringify(mismatch))]]));
  await fails(() => exp.run(buildConfig(exp, 'quick', ['fromMerged=/m/merged.json']), { backend: wasm, seed: 0, files: mm }), DataFormatError, /other test points/);
});

s('dist/deno-run.js arguments: flags and values checked as in the CLI (decimal seeds only, unknown flags named)', () => {
  assert.equal(parseDenoArgs(['modadd', '--seed', '12', '--backend', 'wasm', '--set', 'p=5', '--preset', 'paper']), { name: 'modadd', preset: 'paper', seed: 12, backend: 'wasm', sets: ['p=5'] });
  const refused = (args: string[], why: RegExp) => assert.throws(() => parseDenoArgs(args), (e: Error) => e instanceof ConfigError && why.test(e.message), args.join(' '));
  refused(['modadd', '--seed', '0x10'], /bad value '--seed 0x10'/);
  refused(['modadd', '--seed', '1e20'], /bad value '--seed 1e20'/);
  refused(['modadd', '--seed'], /--seed needs a value/);
  refused(['modadd', '--bogus', '1'], /unknown flag '--bogus'/);
  refused(['modadd', '--set', '--seed', '1'], /--set needs a value/);
  refused(['modadd', '--backend', 'cuda'], /bad value '--backend cuda'/);
  refused(['--seed', '1'], /usage: deno run dist\/deno-run\.js <experiment>/);
});

s('determinism report: WASM is bit-identical run to run; compareNumbers finds the largest difference', async () => {
  const lines: string[] = [];
  assert.ok(await determinismReport([wasm], (l) => lines.push(l)));
  assert.match(lines.join('\n'), /wasm +run twice: bit-identical/);
  const a = resultNumbers({ summary: { x: 1, y: [2, 3] }, series: { s: [4] } });
  assert.equal([...a.keys()], ['summary.x', 'summary.y[0]', 'summary.y[1]', 'series.s[0]']);
  const b = new Map(a);
  assert.equal(compareNumbers(a, b), { identical: true, maxAbs: 0, maxRel: 0, compared: 4 });
  b.set('summary.y[1]', 3.3);
  const d = compareNumbers(a, b);
  assert.not.ok(d.identical);
  assert.ok(Math.abs(d.maxAbs - 0.3) < 1e-12 && Math.abs(d.maxRel - 0.3 / 3.3) < 1e-12);
  b.set('summary.x', -0);
  assert.not.ok(compareNumbers(new Map([['summary.x', 0]]), new Map([['summary.x', -0]])).identical, '0 and −0 differ in their bits');
});

s('the library bundle makes no network requests and evaluates no code', async () => {
  const bundle = await readFile('dist/featurelab.js', 'utf8');
  for (const api of ['fetch(', 'XMLHttpRequest', 'WebSocket', 'EventSource', 'sendBeacon', 'new Function(', 'eval(']) {
    assert.not.ok(bundle.includes(api), `dist/featurelab.js uses ${api}`);
  }
});

s.run();
