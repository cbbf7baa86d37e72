import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  ArgumentError, BackendRegistry, BackendUnavailableError, ConfigError, DeviceLostError, FeaturelabError, InvalidMatrixError, MatrixTooLargeError, RefBackend, ShapeError, VERSION,
  buildConfig, createWasmBackend, findExperiment, getBackend, getInitReport, getRunBackend, init, irrepBases, irrepEnergy, irrepSummary, realIrreps, renderReport, resultFile,
  symmetric,
} from '../dist/featurelab.js';
import pkg from '../package.json';
import { ref, runtime, testBackends } from './support/backends.js';

const s = suite('public API');

s('init() made wasm and ref available and getBackend() returns the most preferred one', () => {
  const report = getInitReport();
  assert.ok(report.available.includes('wasm') && report.available.includes('ref'));
  assert.is(getBackend().name, report.available[0]);
  assert.is(getBackend('ref').name, 'ref');
  for (const b of testBackends) {
    assert.type(b.description, 'string');
    assert.ok(b.description.length > 3);
  }
});

s('a missing WebGPU adapter falls back to wasm and says why; requireWebgpu turns it into an error', async () => {
  const noAdapter = { requestAdapter: async () => null } as unknown as GPU;
  const notices: string[] = [];
  const registry = new BackendRegistry();
  try {
    const names = await registry.init({ prefer: ['webgpu', 'wasm'], gpu: noAdapter, wasmThreads: 1, requireWebgpu: false, log: (m: string) => notices.push(m) });
    assert.equal(names, ['wasm']);
    assert.is(registry.get().name, 'wasm');
    assert.is(notices.length, 1);
    assert.match(notices[0], /webgpu/);
    assert.match(notices[0], /falling back to wasm/);
    assert.is(registry.initReport().unavailable[0].name, 'webgpu');
    assert.throws(() => registry.get('webgpu'), (e: Error) => e instanceof BackendUnavailableError && /not available/.test(e.message));
    await registry.init({ prefer: ['webgpu', 'wasm'], gpu: noAdapter, requireWebgpu: true, log: () => {} }).then(
      () => assert.unreachable('requireWebgpu should have thrown'),
      (e: Error) => assert.ok(e instanceof BackendUnavailableError && /FEATURELAB_REQUIRE_WEBGPU/.test(e.message), e.message),
    );
    await registry.init({ prefer: ['gpu' as 'webgpu'] }).then(() => assert.unreachable('unknown backend should throw'), (e: Error) => assert.ok(e instanceof FeaturelabError && /unknown backend/.test(e.message)));
  } finally {
    registry.disposeAll();
  }
});

s('getRunBackend: WebGPU on a software adapter is passed over for wasm with a note; otherwise the most preferred', async () => {
  const first = getBackend();
  const chosen = getRunBackend();
  if (first.name === 'webgpu' && /software adapter/.test(first.description)) {
    assert.is(chosen.backend.name, 'wasm');
    assert.match(chosen.note ?? '', /software adapter/);
  } else {
    assert.is(chosen.backend, first);
    assert.is(chosen.note, null);
  }
  const registry = new BackendRegistry();
  try {
    await registry.init({ prefer: ['ref', 'wasm'], wasmThreads: 1, log: () => {} });
    assert.is(registry.forRuns().backend.name, 'ref', 'a preferred non-WebGPU backend is kept');
    assert.is(registry.forRuns().note, null);
  } finally {
    registry.disposeAll();
  }
});

s('the README\'s experiment example through the public bundle: modadd trains to its margin, streams its series, renders a report', async () => {
  const exp = findExperiment('modadd');
  const config = buildConfig(exp, 'quick', ['p=11', 'width=40', 'steps=1000', 'doubleEvery=100', 'doubleUntil=800', 'compareRelu=false']);
  const backend = getBackend('wasm');
  const seen: number[] = [];
  const result = await exp.run(config, { backend, seed: 0, series: (name: string, _step: number, v: number) => { if (name === 'marginRatio') seen.push(v); } });
  assert.equal(seen, result.series.marginRatio, 'every sampled margin was streamed, in order');
  assert.ok((result.summary.marginRatio as number) > 0.6, `marginRatio ${result.summary.marginRatio}`);
  assert.equal(result.summary.frequenciesUsed, [1, 2, 3, 4, 5]);
  const html = renderReport([resultFile({ experiment: exp.name, config, seed: 0, backend, totalSeconds: 0, result })]);
  assert.match(html, /<section id="[^"]*modadd/);
  assert.throws(() => buildConfig(exp, 'quick', ['p=12']), (e: unknown) => e instanceof ConfigError);
});

s('groups and irrep metrics through the public bundle: on S_3, a neuron made of the 2-d irrep\'s coefficients has all its energy there', () => {
  const g = symmetric(3);
  const irreps = realIrreps(g);
  assert.equal(irreps.map((r: { dim: number }) => r.dim).sort(), [1, 1, 2]);
  const k = irreps.findIndex((r: { dim: number }) => r.dim === 2);
  // u(x) = ρ_00(x) + ρ_11(x) (the character), v = ρ_01, w = 0.
  const u = Float64Array.from(irreps[k].matrices, (m: Float64Array) => m[0] + m[3]);
  const v = Float64Array.from(irreps[k].matrices, (m: Float64Array) => m[1]);
  const energy = irrepEnergy(u, v, new Float64Array(6), 6, irrepBases(g, irreps));
  assert.ok(Math.abs(energy[k] - 1) < 1e-12 && energy.every((e: number, i: number) => i === k || Math.abs(e) < 1e-12), `energies ${Array.from(energy)}`);
  const summary = irrepSummary(Float32Array.from(u), Float32Array.from(v), new Float32Array(6), 1, 6, irreps);
  assert.equal(summary.irrepsUsed, [irreps[k].label]);
  assert.throws(() => irrepEnergy(u, v, [0, 0, 0, 0, 0, NaN], 6, irrepBases(g, irreps)), (e: unknown) => e instanceof ArgumentError);
});

s('a matrix made by another instance of the same backend is refused by name; init() with no backends says so', async () => {
  const other = new RefBackend();
  const theirs = other.zeros(2, 3);
  assert.throws(() => ref.read(theirs), (e: Error) => e instanceof InvalidMatrixError && /read: matrix \(2×3\) was made by another ref backend instance/.test(e.message));
  ref.free(theirs); // not ours: ignored
  assert.not.ok(theirs.freed);
  other.free(theirs);
  // Validated before anything is disposed: the backends of this process stay usable.
  await init({ prefer: [] }).then(() => assert.unreachable(), (e: Error) => assert.ok(e instanceof ArgumentError && /non-empty array of backend names/.test(e.message), e.message));
  await init({ prefer: 'wasm' as unknown as ['wasm'] }).then(() => assert.unreachable(), (e: Error) => assert.ok(e instanceof ArgumentError && /got "wasm"/.test(e.message), e.message));
  assert.equal(Array.from(await ref.read(ref.zeros(1, 1))), [0]);
  // The reference backend's own limit, the same in every JS engine (Node 22 would hand out these 32 GiB).
  assert.throws(() => ref.zeros(65536, 65536), (e: Error) => e instanceof MatrixTooLargeError && /65536×65536 matrix has 4294967296 elements, more than the reference backend's 268435456/.test(e.message));
  assert.throws(() => ref.zeros(16385, 16384), (e: Error) => e instanceof MatrixTooLargeError && /more than the reference backend's/.test(e.message), 'just past the limit');
});

s('a wasm matrix from a disposed or a second wasm backend is refused as another instance\'s, not as another backend\'s', async () => {
  const registry = new BackendRegistry();
  const second = await createWasmBackend({ threads: 1 });
  try {
    await registry.init({ prefer: ['wasm'], wasmThreads: 1, log: () => {} });
    const m = registry.get('wasm').upload([1, 2], 1, 2);
    await registry.init({ prefer: ['wasm'], wasmThreads: 1, log: () => {} }); // disposes the first wasm backend and m with it
    const another = /read: matrix \(1×2\) was made by another wasm backend instance: one that a later init\(\) or disposeAll\(\) disposed \(with its matrices\), or one created separately/;
    for (const b of [registry.get('wasm'), second]) {
      assert.throws(() => b.read(m), (e: Error) => e instanceof InvalidMatrixError && another.test(e.message) && !/not 'wasm'/.test(e.message), b.description);
    }
  } finally {
    registry.disposeAll();
    second.dispose();
  }
});

s('a disposed wasm backend throws DeviceLostError (the class WebGPU throws when disposed), in-place steps and reads included', async () => {
  const old = await createWasmBackend({ threads: 1 });
  const [m, g] = [old.upload([1, 2], 1, 2), old.zeros(1, 2)];
  old.dispose();
  const lost = (f: () => unknown, what: string) => assert.throws(f, (e: Error) => e instanceof DeviceLostError && /wasm backend: this backend was disposed .*create a new one with init\(\) or createWasmBackend\(\)/.test(e.message), what);
  lost(() => old.zeros(1, 1), 'zeros');
  lost(() => old.read(m), 'read');
  lost(() => old.sgdStep(m, g, null, { lr: 0.1 }), 'an in-place step (it allocates nothing)');
  lost(() => old.unary('exp', m), 'unary');
});

s('createWasmBackend shows a threads option of the wrong type as it is', async () => {
  await createWasmBackend({ threads: '2' as unknown as number }).then(() => assert.unreachable(),
    (e: Error) => assert.ok(e instanceof ArgumentError && /threads must be 'auto' or an integer in \[1, \d+\], got the string "2"$/.test(e.message), e.message));
});

s('getBackend of an unknown name says it is unknown and lists the names', () => {
  for (const get of [(n: string) => getBackend(n as 'wasm'), (n: string) => new BackendRegistry().get(n as 'wasm')]) {
    assert.throws(() => get('foo'), (e: Error) => e instanceof ArgumentError && /getBackend: unknown backend 'foo'; choose from webgpu, wasm, ref$/.test(e.message));
  }
  assert.is(getBackend('wasm').name, 'wasm');
});

s('the version constant matches package.json', () => {
  assert.is(VERSION, pkg.version);
});

for (const b of [...testBackends, ref]) {
  const t = suite(`matrix lifetime [${b.name}, ${runtime}]`);

  t('scope() frees what it does not return; freed matrices raise InvalidMatrixError', async () => {
    let inner: ReturnType<typeof b.zeros> | undefined;
    const kept = b.scope(() => {
      inner = b.zeros(2, 2);
      return { out: b.unary('exp', inner) };
    });
    assert.ok(inner!.freed, 'the temporary should be freed');
    assert.not.ok(kept.out.freed, 'the returned matrix should live');
    assert.equal(Array.from(await b.read(kept.out)), [1, 1, 1, 1]);
    b.free(kept.out);
    b.free(kept.out); // twice is harmless
    assert.throws(() => b.unary('exp', kept.out), (e: Error) => e instanceof InvalidMatrixError && /freed/.test(e.message));
    const later = await b.scope(async () => {
      const x = b.upload([1, 2], 1, 2);
      await b.read(x);
      return b.binary('mul', x, x);
    });
    assert.equal(Array.from(await b.read(later)), [1, 4]);
    b.free(later);
  });

  t('an async scope frees only what its own body created before its first await; results are kept at any depth', async () => {
    // While one async scope waits, other code (here: another scope and a plain upload) creates matrices: none of
    // them is the waiting scope's to free.
    let temp: ReturnType<typeof b.zeros> | undefined;
    const first = b.scope(async () => {
      temp = b.zeros(1, 1);
      const x = b.upload([3], 1, 1);
      await b.read(x);
      return b.binary('mul', x, x);
    });
    const outside = b.upload([5], 1, 1);
    const second = b.scope(async () => {
      const y = b.upload([2], 1, 1);
      await b.read(y);
      return b.unary('neg', y);
    });
    const [r1, r2] = await Promise.all([first, second]);
    assert.ok(temp!.freed, 'the first scope frees its temporary');
    assert.not.ok(outside.freed, 'a matrix made outside both scopes lives');
    assert.not.ok(r1.freed || r2.freed, 'each scope keeps its result, whichever finishes first');
    assert.equal([...await b.read(r1), ...await b.read(r2), ...await b.read(outside)], [9, -2, 5]);
    b.free(r1, r2, outside);
    // Results nested deeper than a few levels, in a Set or a Map, are kept too.
    const deep = b.scope(() => ({ a: { b: { c: { d: { e: { f: [b.zeros(1, 1)] } } } } }, set: new Set([b.zeros(1, 1)]), map: new Map([['k', b.zeros(1, 1)]]) }));
    const kept = [deep.a.b.c.d.e.f[0]!, [...deep.set][0]!, deep.map.get('k')!];
    assert.ok(kept.every((m) => !m.freed), 'deep, Set and Map results live');
    b.free(...kept);
  });

  t('optimizer steps and matmul refuse aliased operands, a missing hyper-parameter object, lr < 0, eps ≤ 0 and a beta without c', async () => {
    const p = b.upload([1, 2], 1, 2), g = b.upload([1, 1], 1, 2), m = b.zeros(1, 2), v = b.zeros(1, 2);
    const refused = (f: () => void, why: RegExp) => assert.throws(f, (e: Error) => e instanceof ArgumentError && why.test(e.message), String(why));
    refused(() => b.sgdStep(p, g, p, { lr: 0.5, momentum: 0.5 }), /sgdStep: param and velocity are the same matrix/);
    refused(() => b.adamwStep(p, g, m, m, { lr: 0.1, step: 1 }), /adamwStep: m and v are the same matrix/);
    refused(() => b.sgdStep(p, g, null, undefined as unknown as { lr: number }), /sgdStep: pass the hyper-parameters as an object/);
    refused(() => b.sgdStep(p, g, null, { lr: -0.1 }), /sgdStep: lr must be ≥ 0/);
    refused(() => b.adamwStep(p, g, m, v, { lr: 0.1, step: 1, eps: 0 }), /adamwStep: eps must be > 0/);
    refused(() => b.matmul(p, g, { transB: true, beta: NaN }), /matmul: beta NaN scales C, but no c was given/);
    refused(() => b.upload(new BigInt64Array(2) as unknown as number[], 1, 2), /upload: data must be a Float32Array or an array of numbers, got a BigInt64Array/);
    assert.throws(() => b.zeros('2' as unknown as number, 2), (e: Error) => e instanceof ShapeError && /rows must be a positive integer, got the string "2"/.test(e.message));
    assert.equal(Array.from(await b.read(p)), [1, 2], 'nothing was changed by a refused step');
    b.free(p, g, m, v);
  });

  t('upload refuses a plain array entry that is not a number, naming its index; NaN and ±Infinity are numbers and come back as they are', async () => {
    assert.throws(() => b.upload(['a', 2, 3, 4] as unknown as number[], 2, 2), (e: Error) => e instanceof ArgumentError && /upload: data\[0\] is the string "a", not a number/.test(e.message));
    assert.throws(() => b.upload([1, null, 3] as unknown as number[], 1, 3), (e: Error) => e instanceof ArgumentError && /upload: data\[1\] is null/.test(e.message));
    assert.throws(() => b.upload([1, , 3] as number[], 3, 1), (e: Error) => e instanceof ArgumentError && /upload: data\[1\] is undefined/.test(e.message));
    const x = b.upload([NaN, Infinity, -Infinity, 2], 2, 2);
    assert.equal(Array.from(await b.read(x)), [NaN, Infinity, -Infinity, 2]);
    b.free(x);
  });

  t('matrices of another backend, zero sizes and bad data are refused with typed errors', () => {
    const other = b === ref ? testBackends[0] : ref;
    const foreign = other.zeros(1, 1);
    const mine = b.zeros(1, 1);
    assert.throws(() => b.binary('add', mine, foreign), (e: Error) => e instanceof InvalidMatrixError && new RegExp(other.name).test(e.message));
    assert.throws(() => b.zeros(0, 3), (e: Error) => e instanceof ShapeError && /positive integer/.test(e.message));
    assert.throws(() => b.upload([1, 2, 3], 2, 2), (e: Error) => e instanceof ShapeError && /3 elements/.test(e.message) && /2×2/.test(e.message));
    assert.throws(() => b.reduce('sum', mine, 2 as 0), (e: Error) => e instanceof FeaturelabError && /axis/.test(e.message));
    assert.throws(() => b.unary('erf' as 'exp', mine), (e: Error) => e instanceof FeaturelabError && /erf/.test(e.message) && /relu/.test(e.message));
    other.free(foreign);
    b.free(mine);
  });

  t.run();
}

s.run();
