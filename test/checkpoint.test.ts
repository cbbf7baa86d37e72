/**
 * Checkpoints (src/checkpoint/, train()'s save/resume): the exact codec, the generator's position, and for
 * every experiment that checkpoints, a run interrupted at several checkpoints and resumed each time gives
 * the same bits on WASM as a run never interrupted. Also: a diverging run stops with NonFiniteError naming
 * the step and the parameter and keeps its last finite checkpoint; a lost WebGPU device (device.destroy())
 * continues on WASM from the last checkpoint.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
// From the bundle, like the backends: its DeviceLostError is the class the WebGPU backend throws.
import { createWebGpuBackend, DeviceOutOfMemoryError, MatrixTooLargeError, runWithDeviceFallback, WebGpuBackend } from '../dist/featurelab.js';
import { decodeBase64, encodeBase64 } from '../src/checkpoint/base64.js';
import { Prepacked, decodeCheckpoint, encodeCheckpoint, prepack, type CheckpointValue } from '../src/checkpoint/codec.js';
import { describePosition, listStages, RunCheckpoints } from '../src/checkpoint/stages.js';
import { joinCheckpointParts, memoryCheckpointStore, type CheckpointStore } from '../src/checkpoint/store.js';
import { ArgumentError, CheckpointError, NonFiniteError } from '../src/errors.js';
import { buildConfig } from '../src/experiments/config.js';
import { findExperiment } from '../src/experiments/index.js';
import type { ConfigValue, ExperimentContext, ExperimentResult } from '../src/experiments/types.js';
import type { TrainState } from '../src/nn/train.js';
import { Rng } from '../src/rng.js';
import { testBackends } from './support/backends.js';
import { tinyFashion } from './support/tinyFashion.js';

const wasm = testBackends.find((b) => b.name === 'wasm')!;
const webgpu = testBackends.find((b) => b.name === 'webgpu');

const s = suite('checkpoints');

s('the codec keeps every bit: NaN, ±Infinity, −0, f32/f64/i32/u32 arrays, nested objects', () => {
  const value: CheckpointValue = {
    a: 0.1, b: NaN, c: -Infinity, d: -0, e: 2 ** 60, n: 7, s: 'text', t: true, z: null,
    f32: new Float32Array([1.5, NaN, -0, 3.4028234663852886e38]), f64: new Float64Array([Math.PI, -Infinity]),
    i32: new Int32Array([-5, 2 ** 31 - 1]), u32: new Uint32Array([2 ** 32 - 1]),
    list: [0.30000000000000004, 1e-310, NaN], empty: [], nested: [{ x: [1, 2] }, 'y'],
  };
  const back = decodeCheckpoint(encodeCheckpoint(value)) as Record<string, CheckpointValue>;
  // dequal compares typed arrays with !== (NaN ≠ NaN): compare their bytes instead.
  const bytes = (v: CheckpointValue | undefined) => Array.from(new Uint8Array((v as Float32Array).buffer));
  for (const k of ['f32', 'f64', 'i32', 'u32']) {
    assert.is(Object.getPrototypeOf(back[k]), Object.getPrototypeOf(value[k]), k);
    assert.equal(bytes(back[k]), bytes(value[k]), k);
  }
  const plain = (o: Record<string, CheckpointValue | undefined>) => Object.fromEntries(Object.entries(o).filter(([k]) => !['f32', 'f64', 'i32', 'u32'].includes(k)));
  assert.equal(plain(back), plain(value));
  assert.ok(Object.is(back.d, -0), '−0 stays −0');
  assert.ok(Array.isArray(back.list));
  // No float is written as decimal text.
  assert.not.match(encodeCheckpoint({ x: 0.1 }), /0\.1/);
  assert.throws(() => encodeCheckpoint({ bad: new Map() as unknown as CheckpointValue }), (e: unknown) => e instanceof CheckpointError && /bad/.test((e as Error).message));
  assert.throws(() => decodeCheckpoint('{"truncated": '), (e: unknown) => e instanceof CheckpointError && /--fresh/.test((e as Error).message));
});

s('the codec refuses a cycle (CheckpointError naming where) and a non-string to decode; shared parts that are no cycle are stored twice', () => {
  const state: Record<string, CheckpointValue> = { a: 1, inner: { list: [] as CheckpointValue[] } };
  ((state.inner as Record<string, CheckpointValue>).list as CheckpointValue[]).push(state);
  assert.throws(() => encodeCheckpoint(state), (e: unknown) => e instanceof CheckpointError && /the value at inner\.list\[0\] is the object at \(root\), which contains it \(a cycle\)/.test((e as Error).message));
  const loop: CheckpointValue[] = [];
  loop.push({ back: loop });
  assert.throws(() => encodeCheckpoint({ x: loop }), (e: unknown) => e instanceof CheckpointError && /at x\[0\]\.back is the object at x,/.test((e as Error).message));
  assert.throws(() => prepack(loop), (e: unknown) => e instanceof CheckpointError && /a cycle/.test((e as Error).message));
  const shared = { v: 0.5 };
  assert.equal(decodeCheckpoint(encodeCheckpoint({ p: shared, q: [shared, shared] })), { p: { v: 0.5 }, q: [{ v: 0.5 }, { v: 0.5 }] });
  for (const bad of [null, undefined, 3, { a: 1 }]) {
    assert.throws(() => decodeCheckpoint(bad as unknown as string, 'run/checkpoint.json'), (e: unknown) => e instanceof ArgumentError && /decodeCheckpoint: pass the checkpoint's text \(a string.*for run\/checkpoint\.json/.test((e as Error).message), String(bad));
  }
});

/** Base64 through a binary string and btoa: the plain way, as the oracle. */
function base64ByBtoa(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

s('base64: the table codec matches btoa on every length 0 … 100 and a large array, and decodes back', () => {
  const rng = new Rng(7);
  const lengths = [...Array.from({ length: 101 }, (_, i) => i), 65_537];
  for (const n of lengths) {
    const bytes = Uint8Array.from({ length: n }, () => rng.nextU32() & 255);
    if (n === 3) bytes.set([0, 255, 254]); // the extremes of both 12-bit halves
    const text = encodeBase64(bytes);
    assert.is(text, base64ByBtoa(bytes), `encode, length ${n}`);
    assert.equal(Array.from(decodeBase64(text)), Array.from(bytes), `decode, length ${n}`);
  }
  // Every digit value, through a run whose bytes are 0x00 … 0xFF in turn.
  const all = Uint8Array.from({ length: 256 * 3 }, (_, i) => (i * 85) & 255);
  assert.is(encodeBase64(all), base64ByBtoa(all));
});

s('base64: damaged text is a CheckpointError naming the place, never a crash or silent bytes', () => {
  const damaged = (text: string, pattern: RegExp) => assert.throws(() => decodeBase64(text), (e: unknown) => e instanceof CheckpointError && pattern.test((e as Error).message) && /--fresh/.test((e as Error).message), text);
  damaged('QUJD\nREVG', /not a multiple of 4/);
  damaged('QU=D', /character "=" at offset 2/);
  damaged('QUJ*', /character "\*" at offset 3/);
  damaged('QUJé', /offset 3/);
  damaged('QUJ', /length 3/);
  // Whole elements only: 5 bytes are no f32 array, 4 bytes no f64 number.
  assert.throws(() => decodeCheckpoint(JSON.stringify({ x: { $bin: 'f32', d: encodeBase64(new Uint8Array(5)) } })), (e: unknown) => e instanceof CheckpointError && /5 bytes/.test((e as Error).message));
  assert.throws(() => decodeCheckpoint(JSON.stringify({ x: { $bin: 'num', d: encodeBase64(new Uint8Array(4)) } })), (e: unknown) => e instanceof CheckpointError && /4 bytes/.test((e as Error).message));
});

s('prepack: a value packed once encodes to the same text as the value, and finished stages are saved from it', async () => {
  const value: CheckpointValue = { h: new Float32Array([0.1, NaN, -0]), list: [1.5, 2], n: 3 };
  assert.is(encodeCheckpoint({ a: prepack(value), b: 'x' }), encodeCheckpoint({ a: value, b: 'x' }));
  // A run of two stages: the checkpoint holds both results exactly, and a run reopened from it replays them.
  const store = memoryCheckpointStore(1);
  const run = await RunCheckpoints.open(store);
  const first = await run.stage('first', async () => ({ h: new Float32Array([1 / 3, -0]) }));
  await run.stage('second', async () => ({ v: [0.25, NaN] }));
  first.h[0] = 99; // a caller changing a returned result afterwards does not change what was saved
  const saved = decodeCheckpoint(store.text!) as { stages: Record<string, Record<string, CheckpointValue>> };
  assert.equal(Array.from(saved.stages.first!.h as Float32Array), [Math.fround(1 / 3), -0]);
  assert.ok(Number.isNaN((saved.stages.second!.v as number[])[1]!));
  const again = await RunCheckpoints.open(store);
  const replayed = await again.stage<{ h: Float32Array }>('first', async () => { throw new Error('a finished stage must not run again'); });
  assert.equal(Array.from(replayed.h), [Math.fround(1 / 3), -0]);
  await again.stage('third', async () => 3);
  assert.equal(Object.keys((decodeCheckpoint(store.text!) as { stages: object }).stages), ['first', 'second', 'third']);
});

s('a store that writes each stage once gets the results themselves (no packed copy held); its text is the same as a packing store\'s', async () => {
  const seen: CheckpointValue[] = [];
  const packing = { every: 1, text: undefined as string | undefined, load: async () => undefined, save: async (state: CheckpointValue) => { packing.text = encodeCheckpoint(state); } };
  const once = {
    every: 1, writesStagesOnce: true, text: undefined as string | undefined,
    load: async () => (once.text === undefined ? undefined : decodeCheckpoint(once.text)),
    save: async (state: CheckpointValue) => { seen.push(state); once.text = encodeCheckpoint(state); },
  };
  const results: Record<string, { h: Float32Array }> = {};
  for (const store of [packing, once]) {
    const run = await RunCheckpoints.open(store);
    for (const label of ['a', 'b']) results[label] = await run.stage(label, async () => ({ h: new Float32Array([1 / 3, NaN, -0]) }));
  }
  const last = seen.at(-1) as { stages: Record<string, CheckpointValue> };
  assert.ok(last.stages.a === results.a && last.stages.b === results.b, 'the stages are the results themselves');
  assert.is(once.text, packing.text);
  // Reopened, the finished stages are passed on as they were loaded.
  const again = await RunCheckpoints.open(once);
  await again.stage('c', async () => 3);
  const reopened = seen.at(-1) as { stages: Record<string, { h: Float32Array }> };
  assert.equal(Array.from(reopened.stages.b!.h), [Math.fround(1 / 3), NaN, -0]);
  assert.not.instance(reopened.stages.a, Prepacked);
});

s('memory store: its text is encodeCheckpoint\'s for any state, and a finished stage is encoded once while later saves hold the same value', async () => {
  const store = memoryCheckpointStore(1);
  const same = async (state: CheckpointValue, what: string) => {
    await store.save(state);
    assert.is(store.text, encodeCheckpoint(state), what);
    // The parts join to the same text, and hold each finished stage's text apart (what the web page stores once).
    assert.is(joinCheckpointParts(store.parts!), store.text, `${what}: parts`);
    const stages = (state as { stages?: unknown })?.stages;
    const finished = stages && typeof stages === 'object' && !Array.isArray(stages) ? Object.entries(stages).filter(([, v]) => v !== undefined) : [];
    assert.equal(store.parts!.stages.map((p) => [p.label, p.text]), finished.map(([label, v]) => [label, encodeCheckpoint(v as CheckpointValue)]), `${what}: stage texts`);
  };
  let encodings = 0;
  // A getter runs each time the codec reads the value: it counts the encodings of this stage.
  const counted = { get h() { encodings++; return new Float32Array([1 / 3, NaN, -0, Infinity]); } } as unknown as CheckpointValue;
  const big = { h: new Float64Array([0.1, -0, 5e-324]), list: [1.5, 2], n: 3, s: 'x"y\\z', nested: [{ a: null, b: true }] };
  await same({ stages: { 'model 0': counted }, current: { label: 'model 1', train: { step: 3, w: new Float32Array([2.5]) }, probe: null } }, 'stages and the stage in progress');
  await same({ stages: { 'model 0': counted, 'quote "1" é': big }, current: { label: 'x', train: null, probe: [0.5] } }, 'labels that need escaping');
  await same({ current: { label: 'y', train: null, probe: 1 }, stages: { 'model 0': counted, 'quote "1" é': big, gone: undefined } }, 'key order and an undefined stage');
  await same({ stages: { 'model 0': counted } }, 'a stage dropped, nothing in progress');
  assert.is(encodings, 1 + 4 * 2, 'the counted stage was encoded by the store once (and twice by each comparison)');
  await same({ stages: { 'model 0': { ...big, n: 4 } } }, 'a stage given a new value is encoded again');
  await same({ stages: {}, other: undefined }, 'no stages');
  await same({ plain: [1, 2.5] }, 'a state without stages');
  await same({ stages: [1, 2] as unknown as CheckpointValue }, 'stages that are not an object');
  await same(7, 'a number');
  // The codec's errors come through: the reserved key, at the top or among the stages.
  for (const bad of [{ stages: {}, $bin: 1 }, { stages: { $bin: 1 } }]) {
    await store.save(bad).then(() => assert.unreachable(), (e: Error) => assert.ok(e instanceof CheckpointError && /reserved/.test(e.message), e.message));
  }
  assert.equal(await store.load(), 7);
});

s('resume logs: numbered stages listed as ranges, and their reuse said once per family', async () => {
  assert.is(listStages(['trained model 0', 'trained model 1', 'trained model 2', 'one epoch model 0', 'one epoch model 1']), 'trained model 0–2, one epoch model 0–1');
  // A gap, a lone numbered stage, unnumbered ones and a family that comes back each start a new entry.
  assert.is(listStages(['m 0', 'm 1', 'm 3', 'quadratic', 'relu', 'm 4', 'x 9', 'x 10', 'x 11']), 'm 0–1, m 3, quadratic, relu, m 4, x 9–11');
  assert.is(listStages([]), '');
  const store = memoryCheckpointStore(1);
  const first = await RunCheckpoints.open(store);
  for (const label of ['quadratic', 'model 0', 'model 1', 'model 2', 'epoch 0', 'epoch 1']) await first.stage(label, async () => label);
  assert.is(describePosition(decodeCheckpoint(store.text!)), 'the checkpoint after the finished stages (finished: quadratic, model 0–2, epoch 0–1)');
  const lines: string[] = [];
  const again = await RunCheckpoints.open(store, (line) => lines.push(line));
  const results: string[] = [];
  for (const label of ['quadratic', 'model 0', 'model 1', 'model 2', 'epoch 0', 'epoch 1']) results.push(await again.stage(label, async () => 'ran again'));
  assert.equal(results, ['quadratic', 'model 0', 'model 1', 'model 2', 'epoch 0', 'epoch 1']);
  assert.equal(lines.filter((l) => l.includes('earlier run')), [
    "checkpoint: 'quadratic' finished in an earlier run; using its saved result",
    "checkpoint: 'model 0' finished in an earlier run; using its saved result (and those of the other 'model …' stages that finished)",
    "checkpoint: 'epoch 0' finished in an earlier run; using its saved result (and those of the other 'epoch …' stages that finished)",
  ]);
});

s('Rng.state / restore: a generator moved to a saved position continues with the same words', () => {
  for (const drawn of [0, 1, 3, 4, 5, 11]) {
    const a = new Rng(42, 3).fork('minibatch');
    for (let i = 0; i < drawn; i++) a.nextU32();
    const state = decodeCheckpoint(encodeCheckpoint(a.state())) as ReturnType<Rng['state']>;
    const b = new Rng(42, 3).fork('minibatch');
    b.restore(state);
    assert.equal(Array.from({ length: 9 }, () => b.nextU32()), Array.from({ length: 9 }, () => a.nextU32()), `after ${drawn} words`);
  }
  assert.throws(() => new Rng(1).restore({ counter: [0, 0], used: 7 }), /Rng.restore/);
});

class Interrupt extends Error {}

/**
 * A store that "kills" the run at the given save numbers (counted over all attempts): at odd kills before
 * the state is stored (a kill during the write), at even ones right after it.
 */
function killingStore(every: number, killAt: number[]): CheckpointStore & { saves: number } {
  const inner = memoryCheckpointStore(every);
  let kills = 0;
  const store = {
    every,
    saves: 0,
    load: inner.load,
    async save(state: CheckpointValue) {
      store.saves++;
      if (killAt.includes(store.saves)) {
        if (kills++ % 2 === 1) await inner.save(state);
        throw new Interrupt(`killed at save ${store.saves}`);
      }
      await inner.save(state);
    },
  };
  return store;
}

/** The result without what depends on the clock (its timings). */
function timeless(r: ExperimentResult): unknown {
  return { summary: r.summary, series: r.series, details: r.details, warnings: r.warnings };
}

/** Runs experiment `name` (quick preset + sets) to the end, restarting after every interruption; returns the result and restarts. */
async function runResumed(name: string, sets: string[], ctx: Partial<ExperimentContext>): Promise<{ result: ExperimentResult; restarts: number }> {
  const exp = findExperiment(name);
  const config = buildConfig(exp, 'quick', sets) as Record<string, ConfigValue>;
  for (let restarts = 0; ; restarts++) {
    try {
      return { result: await exp.run(config, { backend: wasm, seed: 3, ...ctx }), restarts };
    } catch (e) {
      if (!(e instanceof Interrupt)) throw e;
    }
  }
}

const cases: { name: string; sets: string[]; every: number; killAt: number[]; files?: boolean; size?: (r: ExperimentResult) => number }[] = [
  // Two stages (quadratic, then ReLU): kills in both, one at the boundary (save 13 is the first stage's end).
  { name: 'modadd', sets: ['p=7', 'width=16', 'steps=600', 'probeEvery=100', 'doubleEvery=100', 'doubleUntil=300'], every: 50, killAt: [3, 8, 13, 14, 20] },
  { name: 'parity', sets: ['n=6', 'k=2', 'width=8', 'steps=400', 'probeEvery=100'], every: 30, killAt: [2, 5, 11] },
  { name: 'group', sets: ['width=12', 'steps=400', 'probeEvery=100', 'doubleEvery=100', 'doubleUntil=200'], every: 40, killAt: [1, 4, 9] },
  // Minibatches: 20 steps per epoch, saves mid-epoch (the shuffle order and cursor must come back).
  { name: 'mlp', sets: ['hidden=16', 'epochs=2', 'batchSize=32', 'dataDir=/data'], every: 7, killAt: [1, 3, 4], files: true },
  // Two stages (all layers, last layer only), with the previous diagonalization kept for the principal angles.
  { name: 'featuremap', sets: ['hidden=16', 'epochs=2', 'probeSamples=100', 'batchSize=32', 'limitTrain=0', 'dataDir=/data'], every: 6, killAt: [2, 7, 8, 11], files: true },
  // Ensembles: one stage per model (stopped at 100 % training accuracy), resumed inside the current model.
  { name: 'gde', sets: ['models=3', 'trainSize=120', 'testSize=100', 'hidden=16', 'maxEpochs=10', 'variant=AllDiff', 'dataDir=/data'], every: 5, killAt: [2, 6, 9], files: true },
  { name: 'interaction-tensor', sets: ['models=3', 'trainSize=120', 'testSize=100', 'hidden=16', 'k=6', 'maxEpochs=8', 'dataDir=/data'], every: 4, killAt: [1, 5, 12], files: true },
  // Two stages (the recorded model, the second seed for the overlap), the final salient sets kept.
  { name: 'interactions', sets: ['trainSize=200', 'testSize=100', 'samples=2', 'epochs=4', 'hidden=16', 'splitSteps=40'], every: 9, killAt: [1, 4, 7] },
  // One stage per row of the sweep (8 rows, one save each): kills during and right after a row's save.
  { name: 'memorization', sets: ['activations=phi2,relu', 'ns=40,80', 'd=20', 'k=200', 'testSize=50'], every: 1, killAt: [1, 3, 4, 7], size: (r) => (r.summary.rows as unknown[]).length },
  // The network variant: two kernel rows, then one training stage per N, killed inside the networks' training.
  { name: 'memorization', sets: ['features=rf', 'activations=phi2', 'alphas=0.5', 'ns=10,40', 'd=20', 'k=200', 'testSize=50', 'network=true', 'netHidden=64,32', 'netCheckEvery=3'], every: 5, killAt: [3, 6, 10, 15], size: (r) => (r.summary.network as unknown[]).length },
  { name: 'featuremap', sets: ['task=modadd', 'p=7', 'width=16', 'steps=200', 'probeEvery=50', 'lr=0.01', 'weightDecay=1'], every: 30, killAt: [1, 6, 9] },
];

for (const c of cases) {
  s(`${c.name}: interrupted at saves ${c.killAt.join(', ')} and resumed, the result is bit-identical to an uninterrupted run [wasm]`, async () => {
    const files = c.files ? tinyFashion() : undefined;
    const plain = await runResumed(c.name, c.sets, { files });
    const store = killingStore(c.every, c.killAt);
    const resumed = await runResumed(c.name, c.sets, { files, checkpoint: store });
    assert.is(resumed.restarts, c.killAt.length, 'every kill happened');
    assert.ok(store.saves > Math.max(...c.killAt), `${store.saves} saves`);
    assert.equal(timeless(resumed.result), timeless(plain.result));
    assert.ok((c.size ?? ((r) => Object.values(r.series)[0]!.length))(plain.result) > 1, 'the results are not empty');
  });
}

// Members trained together (modelsAtOnce): a group's saves hold its stacked state and the members that already fit.
for (const name of ['gde', 'interaction-tensor'] as const) {
  s(`${name}: members trained together, killed inside a group (before and after some members fit) and resumed, the result is bit-identical to an uninterrupted run [wasm]`, async () => {
    const files = tinyFashion();
    // AllDiff: 60 rows each, 4 steps an epoch (saves mid-epoch: the members' orders and the cursor must come back).
    const sets = ['models=5', 'modelsAtOnce=3', 'trainSize=120', 'testSize=100', 'hidden=16', 'maxEpochs=12', 'batchSize=15', 'variant=AllDiff', 'dataDir=/data', ...(name === 'interaction-tensor' ? ['k=6'] : [])];
    const plain = await runResumed(name, sets, { files });
    const epochs = (plain.result.series.memberEpochs ?? plain.result.series.epochs) as number[];
    assert.ok(new Set(epochs.slice(0, 3)).size > 1, `the first group's members fit at different epochs: ${epochs}`);
    const store = killingStore(3, [2, 5, 7, 8, 11]);
    // Which members each save of a group in progress holds as fitted.
    const heldFitted: string[] = [];
    const save = store.save;
    store.save = async (state) => {
      const current = (state as { current?: { label: string; train: { finished: unknown[] } } }).current;
      if (current) heldFitted.push(`${current.label}: ${current.train.finished.map((f) => (f instanceof Prepacked ? 'fit' : '-')).join('')}`);
      return save(state);
    };
    const resumed = await runResumed(name, sets, { files, checkpoint: store });
    assert.is(resumed.restarts, 5, 'every kill happened');
    assert.equal(timeless(resumed.result), timeless(plain.result));
    const killedAt = [2, 5, 7, 8, 11].map((k) => heldFitted[k - 1]);
    assert.ok(killedAt.some((h) => /models 0–2: (?=.*fit)(?=.*-)/.test(h ?? '')), `a kill came inside the first group after some but not all members fit: ${heldFitted.join('; ')}`);
    assert.ok(heldFitted.some((h) => h.includes('models 3–4: ')), `the second group saved in progress too: ${heldFitted.join('; ')}`);
  });
}

s('a run whose members were trained together, resumed with modelsAtOnce 0 (auto) on a backend that would train them one at a time, keeps the grouping and reuses its work (bit-identical) [wasm]', async () => {
  const files = tinyFashion();
  const sets = ['models=5', 'trainSize=120', 'testSize=100', 'hidden=16', 'maxEpochs=12', 'batchSize=15', 'variant=AllDiff', 'dataDir=/data'];
  const plain = await runResumed('gde', [...sets, 'modelsAtOnce=0'], { files });
  // As after a WebGPU device loss: the first group finished, the second in progress (killed at its second save).
  const store = killingStore(3, [18]);
  const gde = findExperiment('gde');
  await gde.run(buildConfig(gde, 'quick', [...sets, 'modelsAtOnce=3']) as Record<string, ConfigValue>, { backend: wasm, seed: 3, files, checkpoint: store }).then(
    () => assert.unreachable('killed at save 18'),
    (e) => assert.instance(e, Interrupt),
  );
  const logs: string[] = [];
  const steps: string[] = [];
  const resumed = await runResumed('gde', [...sets, 'modelsAtOnce=0'], { files, checkpoint: store, log: (m) => logs.push(m), progress: (p) => steps.push(p.phase ?? '') });
  assert.is(resumed.restarts, 0);
  assert.equal(timeless(resumed.result), timeless(plain.result));
  assert.ok(logs.some((l) => /its members were trained 3 at a time; training the rest the same way on wasm/.test(l)), logs.join('\n'));
  assert.ok(logs.some((l) => /resuming 'ensemble models 3–4' from step \d+/.test(l)), logs.join('\n'));
  assert.ok(steps.length > 0 && steps.every((p) => p === 'models 4–5 of 5 together'), `only the group in progress trained: ${[...new Set(steps)].join(', ')}`);
});

/**
 * A store that saves every `every` steps and kills the run right after each of the first `kills` saves of a stage in
 * progress whose probe state says it met its stopping rule (the save train() makes at the stopping step).
 */
function killingAfterStops(every: number, kills: number, metRule: (probe: Record<string, unknown> | undefined) => boolean): CheckpointStore {
  const inner = memoryCheckpointStore(every);
  let done = 0;
  return {
    every,
    load: inner.load,
    async save(state: CheckpointValue) {
      await inner.save(state);
      const current = (state as { current?: { probe?: Record<string, unknown> } }).current;
      if (current && metRule(current.probe) && done < kills) throw new Interrupt(`killed after save ${++done}`);
    },
  };
}

s('memorization network: killed right after the save made at the step the network met its stopping rule, the resumed run stops there too (bit-identical) [wasm]', async () => {
  const sets = ['features=rf', 'activations=phi2', 'alphas=0.5', 'ns=10,40', 'd=20', 'k=200', 'testSize=50', 'network=true', 'netHidden=64,32', 'netCheckEvery=3'];
  const plain = await runResumed('memorization', sets, {});
  const resumed = await runResumed('memorization', sets, { checkpoint: killingAfterStops(1000, 2, (probe) => probe?.converged === true) });
  assert.is(resumed.restarts, 2, 'killed once per network, right after its stopping step was saved');
  assert.equal(timeless(resumed.result), timeless(plain.result));
  assert.is((plain.result.summary.network as unknown[]).length, 2);
});

// The page's checkpoints (every 200 steps) met this: a member resumed from the save at the step it fit its
// training set trained one step more, and the ensemble's numbers changed.
for (const [name, sets] of [
  ['gde', ['models=3', 'trainSize=120', 'testSize=100', 'hidden=16', 'maxEpochs=200', 'variant=AllDiff', 'dataDir=/data']],
  ['interaction-tensor', ['models=3', 'trainSize=120', 'testSize=100', 'hidden=16', 'k=6', 'maxEpochs=200', 'dataDir=/data']],
] as const) {
  s(`${name}: killed right after the save made at the step each member fit its training set, the resumed run stops it there too (bit-identical) [wasm]`, async () => {
    const files = tinyFashion();
    // The live plots hear each member once, as it finishes (x = 1…M), also across the restarts: a member restored
    // from the checkpoint is not sent again.
    const plainSeries: string[] = [];
    const plain = await runResumed(name, [...sets], { files, series: (n, x, y) => plainSeries.push(`${n} ${x} ${y}`) });
    const members = (plain.result.series.memberTrainAccuracy ?? plain.result.series.trainAccuracy) as number[];
    assert.ok(members.length === 3 && members.every((a) => a === 1), `every member fits: ${members}`);
    const epochs = (plain.result.series.memberEpochs ?? plain.result.series.epochs) as number[];
    assert.equal(plainSeries.filter((x) => x.startsWith('epochs ')), epochs.map((e, i) => `epochs ${i + 1} ${e}`));
    if (name === 'gde') assert.equal(plainSeries.filter((x) => x.startsWith('testError ')), (plain.result.series.testError as number[]).map((e, i) => `testError ${i + 1} ${e}`));
    assert.is(plainSeries.length, 6, plainSeries.join('; '));
    const resumedSeries: string[] = [];
    const resumed = await runResumed(name, [...sets], { files, checkpoint: killingAfterStops(1000, 3, (probe) => probe?.trainAccuracy === 1), series: (n, x, y) => resumedSeries.push(`${n} ${x} ${y}`) });
    assert.is(resumed.restarts, 3, 'killed once per member, right after its stopping step was saved');
    assert.equal(timeless(resumed.result), timeless(plain.result));
    assert.equal(resumedSeries, plainSeries);
  });
}

s('a diverging run (absurd learning rate) stops with NonFiniteError naming the step and the parameter; the last checkpoint is finite', async () => {
  const store = memoryCheckpointStore(1);
  const exp = findExperiment('parity');
  const config = buildConfig(exp, 'quick', ['n=6', 'k=2', 'width=8', 'steps=400', 'probeEvery=50', 'lr=1e6', 'initStd=1']) as Record<string, ConfigValue>;
  const err = await exp.run(config, { backend: wasm, seed: 0, checkpoint: store }).then(() => null, (e: unknown) => e);
  assert.instance(err, NonFiniteError);
  const e = err as NonFiniteError;
  assert.ok(['U', 'W', 'loss'].includes(e.layer), `layer ${e.layer}`);
  assert.ok(e.step >= 1 && e.step < 400, `step ${e.step}`);
  assert.match(e.message, new RegExp(`step ${e.step}`));
  assert.match(e.message, /lr/);
  const saved = (await store.load()) as { current?: { train: TrainState } } | undefined;
  if (saved) {
    const t = saved.current!.train;
    assert.ok(t.step < e.step, `last checkpoint at step ${t.step}, error at ${e.step}`);
    for (const [name, v] of Object.entries(t.params)) assert.ok(v.every(Number.isFinite), `checkpointed ${name} is finite`);
  }
});

s('WebGPU out of memory mid-run (DeviceOutOfMemoryError) continues on wasm from the checkpoint; a matrix over the limits (MatrixTooLargeError) does not fall back', async () => {
  const exp = findExperiment('modadd');
  const config = buildConfig(exp, 'quick', ['p=7', 'width=16', 'steps=300', 'probeEvery=100', 'doubleEvery=100', 'doubleUntil=200', 'compareRelu=false']) as Record<string, ConfigValue>;
  // wasm posing as webgpu whose 30th read fails (after a few checkpoint saves): the run restarts on the real wasm from the store's checkpoint, so
  // the result must be bit-identical to a wasm run never interrupted.
  const failingAt = (error: Error) => {
    let reads = 0;
    return new Proxy(wasm, {
      get(target, key) {
        if (key === 'name') return 'webgpu';
        if (key === 'read') return async (m: Parameters<typeof wasm.read>[0]) => { if (++reads === 30) throw error; return target.read(m); };
        const v = Reflect.get(target, key, target) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  };
  const store = memoryCheckpointStore(40);
  const oom = new DeviceOutOfMemoryError('webgpu: the device ran out of memory creating a 4096-byte buffer (0 bytes pooled): test; free matrices');
  const { result, backend } = await runWithDeviceFallback(exp, config, { backend: failingAt(oom), seed: 1, checkpoint: store }, { backend: wasm, checkpoint: store });
  assert.is(backend.name, 'wasm');
  const note = result.warnings.find((w) => /out of memory/.test(w));
  assert.ok(/^WebGPU device out of memory at step \d+; continued on wasm from the checkpoint at step [1-9]\d* of 'square'/.test(note ?? ''), note ?? result.warnings.join(' | '));
  const alone = await exp.run(config, { backend: wasm, seed: 1 });
  assert.equal(result.series.loss, alone.series.loss);
  assert.equal(result.summary, alone.summary);
  const tooLarge = new MatrixTooLargeError('webgpu: a 70000×70000 matrix needs more than the device allows');
  try {
    await runWithDeviceFallback(exp, config, { backend: failingAt(tooLarge), seed: 1, checkpoint: memoryCheckpointStore(40) }, { backend: wasm });
    assert.unreachable('a matrix over the limits must not fall back');
  } catch (e) {
    assert.is(e, tooLarge);
  }
});

s('gde on WebGPU (all members at once) out of memory mid-group continues on wasm inside the group, trained the same way, bit-identical to a wasm run', async () => {
  const exp = findExperiment('gde');
  const files = tinyFashion();
  const config = buildConfig(exp, 'quick', ['models=5', 'trainSize=120', 'testSize=100', 'hidden=16', 'maxEpochs=12', 'batchSize=15', 'variant=AllDiff', 'dataDir=/data']) as Record<string, ConfigValue>;
  // wasm posing as webgpu (so modelsAtOnce 0 stacks all five) whose 60th read fails, after a few saves inside the group.
  let reads = 0;
  const failing = new Proxy(wasm, {
    get(target, key) {
      if (key === 'name') return 'webgpu';
      if (key === 'read') return async (m: Parameters<typeof wasm.read>[0]) => {
        if (++reads === 60) throw new DeviceOutOfMemoryError('webgpu: the device ran out of memory creating a 4096-byte buffer (0 bytes pooled): test; free matrices');
        return target.read(m);
      };
      const v = Reflect.get(target, key, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  const store = memoryCheckpointStore(3);
  const phases = new Set<string>();
  const { result, backend } = await runWithDeviceFallback(exp, config, { backend: failing, seed: 3, files, checkpoint: store, progress: (p) => { if (p.phase) phases.add(p.phase); } }, { backend: wasm, checkpoint: store });
  assert.is(backend.name, 'wasm');
  const note = result.warnings.find((w) => /out of memory/.test(w)) ?? '';
  assert.ok(/continued on wasm from the checkpoint at step [1-9]\d* of 'ensemble models 0–4'/.test(note), note || result.warnings.join(' | '));
  assert.equal([...phases], ['models 1–5 of 5 together'], 'the members were trained together before and after the fallback');
  const alone = await exp.run(config, { backend: wasm, seed: 3, files });
  assert.equal(timeless({ ...result, warnings: result.warnings.filter((w) => w !== note) }), timeless(alone));
});

s('WebGPU device lost mid-run (device.destroy()): the run continues on wasm from the last checkpoint and says so', async () => {
  if (!webgpu) {
    console.log('  (no WebGPU adapter: device-loss test skipped)');
    return;
  }
  const gpu = (webgpu as WebGpuBackend).gpu;
  const fresh = await createWebGpuBackend(gpu!);
  const exp = findExperiment('modadd');
  const config = buildConfig(exp, 'quick', ['p=7', 'width=16', 'steps=300', 'probeEvery=100', 'doubleEvery=100', 'doubleUntil=200', 'compareRelu=false']) as Record<string, ConfigValue>;
  const store = memoryCheckpointStore(40);
  const logs: string[] = [];
  let destroyed = false;
  try {
    const { result, backend } = await runWithDeviceFallback(exp, config, {
      backend: fresh, seed: 1, checkpoint: store, log: (m) => logs.push(m),
      progress: (p) => {
        if (p.step === 130 && !destroyed) {
          destroyed = true;
          fresh.device.destroy();
        }
      },
    }, { backend: wasm, checkpoint: store });
    assert.ok(destroyed);
    assert.is(backend.name, 'wasm');
    const note = result.warnings.find((w) => /device lost/.test(w));
    assert.ok(note, `warnings: ${result.warnings.join(' | ')}`);
    // The loss surfaces at the next point that waits on the GPU (a probe or a checkpoint save), which on a
    // busy machine may be after step 130; the run resumes from the last save before it (every 40 steps, ≥ 120).
    const m = /WebGPU device lost at step (\d+); continued on wasm from the checkpoint at step (\d+) of 'square'/.exec(note!);
    assert.ok(m, note);
    const [lostAt, resumedAt] = [Number(m![1]), Number(m![2])];
    assert.ok(lostAt >= 130 && lostAt <= 300 && resumedAt >= 120 && resumedAt <= lostAt && resumedAt % 40 === 0, note);
    assert.ok(logs.some((l) => l.startsWith('WebGPU device lost')), 'logged');
    assert.ok(logs.some((l) => l.includes(`resuming 'square' from step ${resumedAt}`)), logs.join(' | '));
    assert.equal(result.series.step, [0, 100, 200, 300]);
    // The same training on wasm alone: the run that changed device mid-way ends at (almost) the same loss.
    const alone = await exp.run(config, { backend: wasm, seed: 1 });
    result.series.loss!.forEach((v, i) => {
      const w = alone.series.loss![i]!;
      assert.ok(Math.abs(v! - w) <= 1e-3 * Math.abs(w), `loss at step ${result.series.step![i]}: ${v} vs wasm alone ${w}`);
    });
  } finally {
    fresh.dispose();
  }
});

s.run();
