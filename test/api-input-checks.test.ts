/**
 * The public API refuses what it would otherwise take without a word: a misspelt option (its default would be
 * used), a flag that is not a boolean ('false' is truthy), a tape variable from another tape (it would take
 * this tape's node at its id and get the wrong gradient), an activation or reduction the tape has no gradient
 * for, and malformed arguments to the training classes (which failed with a TypeError or RangeError). Every
 * refusal is a FeaturelabError whose message names the function and the bad value.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  ArgumentError, BackendRegistry, ConfigError, FeaturelabError, Mlp, ParamSet, Rng, Tape, analyzeFeatureMap, bootstrapDisagreement,
  buildConfig, createOptimizer, createWasmBackend, createWebGpuBackend, diagonalizeFeatureMap, findExperiment, gammaTheory, resultFile, hermiteCoefficients, kernelRegression, learningRate, renderReport, validateTrainConfig,
} from '../dist/featurelab.js';
import * as library from '../dist/featurelab.js';
import { ref, testBackends } from './support/backends.js';

const s = suite('public API: misspelt options, wrong types and foreign variables are refused');

/** Asserts that f throws a FeaturelabError of class `kind` whose message matches `pattern`. */
function refused(f: () => unknown, kind: new (...a: never[]) => FeaturelabError, pattern: RegExp): void {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof kind, `expected ${kind.name}, got ${String(e)}`);
    assert.match((e as Error).message, pattern);
    return;
  }
  assert.unreachable(`no error; expected ${kind.name} matching ${pattern}`);
}

for (const be of [ref, ...testBackends]) {
  s(`${be.name}: matmul, optimizer steps, reduce and scope check their options`, () => {
    be.scope(() => {
      const a = be.upload([1, 2, 3, 4], 2, 2);
      refused(() => be.matmul(a, a, { tranA: true } as never), ArgumentError, /^matmul: unknown option 'tranA'; the options are transA, transB, alpha/);
      refused(() => be.matmul(a, a, { transA: 'false' } as never), ArgumentError, /^matmul: transA must be true or false \(or left out\), got the string "false"/);
      refused(() => be.matmul(a, a, { batch: 2, shareB: 1 } as never), ArgumentError, /^matmul: shareB must be true or false/);
      refused(() => be.sgdStep(be.copy(a), a, be.zeros(2, 2), { lr: 0.1, momentun: 0.9 } as never), ArgumentError, /^sgdStep: unknown option 'momentun'; the options are lr, momentum, weightDecay, nesterov/);
      refused(() => be.sgdStep(be.copy(a), a, null, { lr: 0.1, nesterov: 'yes' } as never), ArgumentError, /^sgdStep: nesterov must be true or false/);
      refused(() => be.adamwStep(be.copy(a), a, be.zeros(2, 2), be.zeros(2, 2), { lr: 0.1, step: 1, beta: 0.9 } as never), ArgumentError, /^adamwStep: unknown option 'beta'/);
      refused(() => be.reduce('sum', a, 0, { batches: 2 } as never), ArgumentError, /^reduce\(sum\): unknown option 'batches'; the options are batch/);
      refused(() => be.solveTriangular(be.upload([1, 0, 1, 1], 2, 2), a, { transposed: true } as never), ArgumentError, /^solveTriangular: unknown option 'transposed'/);
      refused(() => be.scope(5 as never), ArgumentError, /^scope: pass a function/);
      // The accepted forms still work: known keys, explicit undefined, booleans.
      const got = be.matmul(a, a, { transA: true, transB: undefined, alpha: 1 });
      assert.equal([got.rows, got.cols], [2, 2]);
    });
  });
}

s('host functions refuse a misspelt option and name the ones they take', () => {
  const k = Float64Array.from([2, 1, 1, 2]);
  refused(() => kernelRegression(k, Float64Array.from([1, 0]), { rigde: 1e-3 } as never), ArgumentError, /^kernelRegression: unknown option 'rigde'; the options are ridge, relative, symmetryTolerance/);
  refused(() => hermiteCoefficients((x) => Math.max(0, x), 4, 64, { kink: [0] } as never), ArgumentError, /^hermiteCoefficients: unknown option 'kink'; the options are kinks/);
  refused(() => bootstrapDisagreement([], { resample: 10 } as never), ArgumentError, /^bootstrapDisagreement: unknown option 'resample'/);
  refused(() => gammaTheory('relu', 0.5, { features: 'rf', regime: 'large-n', degre: 10 } as never), ArgumentError, /^gammaTheory: unknown option 'degre'; the options are features, regime, degree, nodes/);
  refused(() => renderReport([], { titel: 'x' } as never), ArgumentError, /^renderReport: unknown option 'titel'/);
  const phi = Float32Array.from({ length: 12 }, (_, i) => Math.sin(i + 1));
  refused(() => diagonalizeFeatureMap(phi, 4, 3, { methd: 'gram' } as never), ArgumentError, /^diagonalizeFeatureMap: unknown option 'methd'; the options are method, nullTolerance, product/);
  refused(() => analyzeFeatureMap(phi, 4, 3, [0, 1, 0, 1], 2, { rcnd: 1e-8 } as never), ArgumentError, /^analyzeFeatureMap: unknown option 'rcnd'/);
  // analyzeFeatureMap hands each part its own options: every key of AnalyzeOptions together is accepted.
  const all = analyzeFeatureMap(phi, 4, 3, [0, 1, 0, 1], 2, {
    method: 'auto', nullTolerance: 1e-12, piHatThreshold: 0.9, gapThreshold: 0.2, rcond: 1e-10, weights: Float32Array.from([1, 0, 0, 0, 1, 0]),
  });
  assert.ok(all.piHat !== undefined && all.regime !== undefined, 'the regime was computed from weights');
});

s('init refuses a misspelt option before creating any backend', async () => {
  const reg = new BackendRegistry();
  try {
    await reg.init({ prefer: ['ref'], wasmThread: 1 } as never);
    assert.unreachable('init took wasmThread');
  } catch (e) {
    assert.ok(e instanceof ArgumentError, String(e));
    assert.match((e as Error).message, /^init: unknown option 'wasmThread'; the options are prefer, gpu, wasmThreads/);
  } finally {
    reg.disposeAll();
  }
});

s('createWasmBackend and createWebGpuBackend refuse a misspelt option', async () => {
  await createWasmBackend({ thread: 1 } as never).then(() => assert.unreachable('took thread'), (e: unknown) => {
    assert.ok(e instanceof ArgumentError, String(e));
    assert.match((e as Error).message, /^createWasmBackend: unknown option 'thread'; the options are threads, simd, fma/);
  });
  // The option check comes before the GPU is asked for anything, so any object stands in for navigator.gpu.
  await createWebGpuBackend({} as GPU, { maxPool: 1 } as never).then(() => assert.unreachable('took maxPool'), (e: unknown) => {
    assert.ok(e instanceof ArgumentError, String(e));
    assert.match((e as Error).message, /^createWebGpuBackend: unknown option 'maxPool'; the options are adapterKind, powerPreference, maxBatch, maxPoolBytes, matmulVariant/);
  });
});

s('Tape: a variable of another tape, a matrix, an activation or reduction without a gradient here, no backend', () => {
  ref.scope(() => {
    const W = ref.upload([1, 2, 3, 4], 2, 2);
    const x = ref.upload([1, -1], 1, 2);
    const first = new Tape(ref);
    const w = first.param(W);
    first.dispose();
    const tape = new Tape(ref);
    const input = tape.input(x);
    refused(() => tape.matmul(input, w), ArgumentError, /^Tape\.matmul: got .*not a variable of this tape/);
    refused(() => tape.unary('relu', W as never), ArgumentError, /^Tape\.unary\(relu\): got a matrix, not a tape variable: wrap it with tape\.param\(m\) or tape\.input\(m\)/);
    const v = tape.param(W);
    refused(() => tape.matmul(input, v, { act: 'gelu' } as never), ArgumentError, /^Tape\.matmul: only act 'relu' \(or 'none'\) is fused here, got the string "gelu"/);
    refused(() => tape.matmul(input, v, { transB: true, alpah: 2 } as never), ArgumentError, /^Tape\.matmul: unknown option 'alpah'/);
    refused(() => tape.reduce('max' as never, v, 0), ArgumentError, /^Tape\.reduce: op must be sum, mean or sumSq/);
    refused(() => tape.scale(v, NaN), ArgumentError, /^Tape\.scale: s must be a finite number/);
    refused(() => tape.param(null as never), ArgumentError, /^Tape\.param: pass a matrix/);
    refused(() => new Tape(undefined as never), ArgumentError, /^Tape: pass the backend/);
    // A correct use on the same tape still differentiates: d/dW sum(x·W) = xᵀ·1.
    const loss = tape.sumAll(tape.matmul(input, v));
    tape.backward(loss);
    assert.ok(tape.grad(v) !== null);
    tape.dispose();
  });
});

s('Mlp, ParamSet, createOptimizer, learningRate and validateTrainConfig check their arguments', () => {
  const rng = new Rng(1);
  refused(() => new Mlp(ref, [784, -1, 10], rng), ArgumentError, /^Mlp: sizes must list at least two layer widths/);
  refused(() => new Mlp(ref, [784], rng), ArgumentError, /^Mlp: sizes must list/);
  refused(() => new Mlp(ref, { sizes: [4, 2] } as never, rng), ArgumentError, /^Mlp: sizes must list/);
  refused(() => new Mlp(ref, [4, 3, 2], undefined as never), ArgumentError, /^Mlp: pass an Rng/);
  refused(() => new Mlp(ref, [4, 3, 2], rng, 0), ArgumentError, /^Mlp: initScale must be a positive finite number/);
  refused(() => new ParamSet(ref).normal('W', -1, 3, 1, rng), FeaturelabError, /^ParamSet: parameter 'W'.*rows must be a positive integer, got -1/);
  refused(() => new ParamSet(ref).normal('W', 2, 3, 1, undefined as never), ArgumentError, /^ParamSet: parameter 'W' needs an Rng/);
  refused(() => new ParamSet(null as never), ArgumentError, /^ParamSet: pass the backend/);
  const model = new Mlp(ref, [4, 3, 2], rng);
  try {
    refused(() => createOptimizer(ref as never, { kind: 'sgd' }), ArgumentError, /^createOptimizer: pass the model's ParamSet/);
    refused(() => createOptimizer(model.params, { kind: 'lbfgs' } as never), ConfigError, /^optimizer: unknown kind the string "lbfgs"; use 'sgd' or 'adamw'/);
    refused(() => createOptimizer(model.params, { kind: 'sgd', momentun: 0.9 } as never), ArgumentError, /^optimizer 'sgd': unknown option 'momentun'; the options are kind, momentum, nesterov, weightDecay/);
    refused(() => createOptimizer(model.params, { kind: 'adamw', beta1: 1 }), ConfigError, /^optimizer: beta1 must be in \[0, 1\), got 1/);
    refused(() => createOptimizer(model.params, { kind: 'sgd', weightDecay: -1 }), ConfigError, /^optimizer: weightDecay must be a finite number ≥ 0/);
    refused(() => learningRate({ kind: 'linear' } as never, 0.1, 0), ConfigError, /^schedule: unknown kind the string "linear"/);
    refused(() => learningRate({ kind: 'constant' }, NaN, 0), ConfigError, /^schedule: the base rate lr must be a finite number, got NaN/);
    refused(() => learningRate({ kind: 'constant' }, 0.1, -1), ConfigError, /^schedule: step must be an integer ≥ 0/);
    refused(() => learningRate({ kind: 'cosine', steps: 0 }, 0.1, 0), ConfigError, /^schedule: cosine 'steps' must be a positive integer/);
    refused(() => learningRate({ kind: 'doubling', every: 10 } as never, 0.1, 5), ConfigError, /^schedule: 'until' must be a step ≥ 0/);
    assert.is(learningRate({ kind: 'doubling', every: 10, until: 20 }, 0.1, 25), 0.4);
    refused(() => validateTrainConfig(null as never, 10), ConfigError, /^train: the configuration must be an object/);
  } finally {
    model.params.free();
  }
});

s('an experiment run from the library checks its config and context before any work', async () => {
  const exp = findExperiment('modadd');
  const config = buildConfig(exp, 'quick', ['p=5', 'width=8', 'steps=20', 'probeEvery=10', 'compareRelu=false']);
  const rejects = async (p: () => Promise<unknown>, kind: new (...a: never[]) => FeaturelabError, pattern: RegExp): Promise<void> => {
    try {
      await p();
    } catch (e) {
      assert.ok(e instanceof kind, `expected ${kind.name}, got ${String(e)}`);
      assert.match((e as Error).message, pattern);
      return;
    }
    assert.unreachable(`no error; expected ${pattern}`);
  };
  await rejects(() => exp.run(config, undefined as never), ArgumentError, /^modadd: run: pass a context \{ backend, seed \}/);
  await rejects(() => exp.run(config, { seed: 0 } as never), ArgumentError, /^modadd: run: context\.backend must be a backend/);
  await rejects(() => exp.run(config, { backend: ref, seed: '1' } as never), ArgumentError, /^modadd: run: context\.seed must be an integer ≥ 0, got the string "1"/);
  await rejects(() => exp.run(config, { backend: ref, seed: 0, serie: () => {} } as never), ArgumentError, /^modadd: run: unknown option 'serie'/);
  await rejects(() => exp.run(config, { backend: ref, seed: 0, log: 'yes' } as never), ArgumentError, /^modadd: run: context\.log must be a function/);
  await rejects(() => exp.run({ ...config, q: 3 }, { backend: ref, seed: 0 }), ConfigError, /unknown config key 'q' for modadd/);
  const { p: _p, ...withoutP } = config;
  await rejects(() => exp.run(withoutP, { backend: ref, seed: 0 }), ConfigError, /^modadd: the config lacks p; build it with buildConfig/);
  await rejects(() => exp.run({ ...config, p: 4 }, { backend: ref, seed: 0 }), ConfigError, /^modadd: p must be an odd prime/);
  await rejects(() => exp.run(null as never, { backend: ref, seed: 0 }), ConfigError, /^modadd: the config must be an object/);
  refused(() => buildConfig(exp, 'quick', 'p=5' as never), ConfigError, /^modadd: the overrides must be an array of "key=value" strings/);
  refused(() => resultFile({} as never), ArgumentError, /^resultFile: pass \{ experiment, config, seed, backend, totalSeconds, result \}.*got an object/);
});

s('every exported function given garbage (nothing, null, {}, [], NaN, a string, arrays of the wrong size) throws a FeaturelabError or returns', async () => {
  // These change the process's backends (the other tests use them) or start workers and devices.
  const stateful = new Set(['init', 'disposeAll', 'createWasmBackend', 'createWebGpuBackend', 'initLinalg']);
  const garbage: unknown[][] = [[], [undefined], [null], [{}], [[]], [NaN], ['x'], [new Float64Array(4), 2, 2], [new Float64Array(4), NaN, 2], [[1, 2, 3], -1], [new Float32Array(6), 2, 3, [0, 1], 2]];
  let calls = 0;
  const raw: string[] = [];
  for (const [name, value] of Object.entries(library)) {
    // Classes (capitalised) are covered above; plain functions here.
    if (typeof value !== 'function' || /^[A-Z]/.test(name) || stateful.has(name)) continue;
    for (const args of garbage) {
      calls++;
      try {
        await (value as (...a: unknown[]) => unknown)(...args);
      } catch (e) {
        if (!(e instanceof FeaturelabError)) raw.push(`${name}(${args.map((a) => (Array.isArray(a) ? `[${a.join(',')}]` : String(a))).join(', ')}): ${String(e)}`);
      }
    }
  }
  assert.ok(calls > 500, `only ${calls} calls: the exports were not found`);
  assert.equal(raw, [], `${raw.length} calls threw something else than a FeaturelabError`);
});

s.run();
