/**
 * The WebGPU backend: every op of the Backend contract as a WGSL kernel (shaders/*.wgsl).
 *
 * Engineering (see the issue "WebGPU backend"):
 * - Pipelines are cached by shader name + override constants (the key names every variant: transposes,
 *   vec4 loads, tile and workgroup sizes); sizes, op codes and scalars arrive as uniforms, so one pipeline
 *   serves every shape. Explicit bind-group layouts; group 1 is one dynamic-offset uniform binding.
 * - Dispatches are recorded into one command encoder and one compute pass; the batch is submitted when
 *   `read()` needs it, when the uniform arena (256 dispatches) is full, on the next macrotask, or on
 *   `flush()`. `read()` (mapAsync on a pooled staging buffer) is the only synchronisation point.
 * - Uniforms of a batch live in one arena buffer (a 256-byte slot per dispatch), written once per submit
 *   and reused by every batch (queue order makes the reuse safe).
 * - Storage buffers are pooled by size class (steps of 1, 1.25, 1.5, 1.75 × a power of two); a freed buffer
 *   still referenced by the unsubmitted batch may be reused by later kernels of that batch (same encoder,
 *   ordered) but an upload into it first submits the batch, since queue writes run ahead of the encoder.
 * - Shader errors become ShaderCompileError with file names, WGSL line numbers and the offending lines:
 *   built-in modules are checked when the backend is created, pipelines inside a validation error scope
 *   (reported by the next `read()`), and `compileShader()` checks arbitrary WGSL eagerly.
 * - `device.lost` becomes DeviceLostError, thrown by every later op; a matrix over
 *   maxStorageBufferBindingSize / maxBufferSize is refused with MatrixTooLargeError; workgroup counts over
 *   65535 are folded into a 2-D grid.
 * - Matmul picks its kernel with pickMatmulVariant (matmulVariant.ts).
 */
import {
  ArgumentError, BackendUnavailableError, DeviceLostError, DeviceOutOfMemoryError, FeaturelabError, MatrixTooLargeError, ShaderCompileError,
} from '../../errors.js';
import { BLOCK_UPDATES, BaseBackend, MatBase } from '../base.js';
import type { AdamWPlan, BlockUpdate, MatmulPlan, SgdPlan } from '../base.js';
import type { Activation, Axis, BinaryOp, Broadcast, Mat, ReduceOp, UnaryOp } from '../types.js';
import { BINARY_OPS, BROADCASTS, REDUCE_OPS, UNARY_OPS } from '../types.js';
import { pickMatmulVariant } from './matmulVariant.js';
import type { AdapterKind, MatmulShape, MatmulVariant } from './matmulVariant.js';
import { SHADERS, joinParts, mapLine, shaderParts } from './shaders.js';
import type { ShaderName, SourcePart } from './shaders.js';
import { checkOptions } from '../../validate.js';

/** Bytes of one uniform slot: the largest minUniformBufferOffsetAlignment the spec allows. */
const SLOT_BYTES = 256;
/** Dispatches per batch (uniform slots in the arena). */
const DEFAULT_MAX_BATCH = 256;
/** Most workgroups per grid dimension that WebGPU guarantees. */
const MAX_GROUPS_PER_DIM = 65535;
/** Workgroup size of the element-wise kernels (their WG override default). */
const EW_WG = 256;
/**
 * The ACT override of a matmul kernel for an epilogue activation: the op's code (index in UNARY_OPS), or none
 * (the shader's default, UNARY_NONE), so plain products share one pipeline.
 */
function actConstant(act: Activation): Constants {
  return act === 'none' ? {} : { ACT: UNARY_OPS.indexOf(act) };
}

/** A pooled GPU storage buffer; `lastBatch` is the batch that last referenced it. */
interface PooledBuffer {
  readonly buffer: GPUBuffer;
  readonly size: number;
  lastBatch: number;
  /** Unique per buffer: the bind-group cache's keys are made of these. */
  readonly id: number;
  /** Keys of the cached bind groups that bind this buffer (dropped when it is destroyed). */
  readonly groups: Set<string>;
}

/** Most cached bind groups; past it the cache starts over (a training loop needs a few hundred). */
const MAX_BIND_GROUPS = 4096;
/** Most loop iterations one invocation runs on llvmpipe (see threadPerLine). */
const SOFTWARE_LOOP_LIMIT = 65535;

/** A matrix of the WebGPU backend: a pooled storage buffer holding rows·cols f32 values (row-major). */
export class GpuMat extends MatBase {
  /** @param rows row count  @param cols column count  @param buf its storage (null once freed) */
  constructor(rows: number, cols: number, public buf: PooledBuffer | null) {
    super(rows, cols, 'webgpu');
  }
}

/** Options of createWebGpuBackend. */
export interface WebGpuOptions {
  /** Overrides the adapter kind detected from `adapter.info` (picks the matmul kernels). */
  adapterKind?: AdapterKind;
  /** Passed to requestAdapter. */
  powerPreference?: GPUPowerPreference;
  /** Dispatches recorded before a batch is submitted (1…256, default 256). */
  maxBatch?: number;
  /** Bytes of freed buffers kept for reuse (default 512 MiB); beyond this, freed buffers are destroyed. */
  maxPoolBytes?: number;
  /** Replaces pickMatmulVariant (for tuning kernels on a new GPU; results stay exact for any variant). */
  matmulVariant?: (shape: MatmulShape, adapterKind: AdapterKind) => MatmulVariant;
}

/** Counters for tests and benchmarks. */
export interface WebGpuStats {
  pipelines: number;
  submits: number;
  dispatches: number;
  buffersCreated: number;
  buffersReused: number;
  pooledBytes: number;
  /** Bind groups created, dispatches that reused a cached one, and how many are cached now. */
  bindGroupsCreated: number;
  bindGroupsReused: number;
  bindGroupsCached: number;
}

type Constants = Record<string, number | boolean>;

/** True when the adapter is a CPU implementation of WebGPU. */
function isSoftwareAdapter(adapter: GPUAdapter): boolean {
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const legacy = adapter as GPUAdapter & { isFallbackAdapter?: boolean };
  if (info.isFallbackAdapter || legacy.isFallbackAdapter) return true;
  const text = `${info.vendor} ${info.architecture} ${info.device} ${info.description}`;
  return /swiftshader|llvmpipe|lavapipe|softpipe|warp|basic render|software/i.test(text);
}

/** Describes the adapter: vendor, architecture, device, driver, and whether it is software. */
function describeAdapter(adapter: GPUAdapter, software: boolean): string {
  const info = adapter.info;
  const parts = [info.vendor, info.architecture, info.device].filter((s) => s && s.length > 0);
  const driver = info.description ? ` (${info.description})` : '';
  return `WebGPU on ${parts.join(' / ') || 'unknown adapter'}${driver}, ${software ? 'software adapter (runs on the CPU)' : 'hardware adapter'}`;
}

/** Formats compiler messages with file names, line numbers and the offending lines. */
function formatCompileMessages(parts: readonly SourcePart[], messages: readonly GPUCompilationMessage[]): string {
  const out: string[] = [];
  for (const msg of messages) {
    if (msg.type !== 'error') continue;
    if (msg.lineNum > 0) {
      const at = mapLine(parts, msg.lineNum);
      out.push(`  ${at.file}:${at.line}:${msg.linePos}: ${msg.message}`);
      out.push(`    ${String(at.line).padStart(4)} | ${at.text}`);
      out.push(`    ${' '.repeat(4)} | ${' '.repeat(Math.max(0, msg.linePos - 1))}^`);
    } else {
      out.push(`  ${msg.message}`);
    }
  }
  return out.join('\n');
}

/**
 * Creates the WebGPU backend on `gpu` (navigator.gpu in browsers and Deno; Dawn's `create([])` in Node,
 * with Dawn's globals installed on globalThis). Throws BackendUnavailableError when there is no adapter
 * or device, and ShaderCompileError when a built-in kernel does not compile on this implementation.
 */
export async function createWebGpuBackend(gpu: GPU, options: WebGpuOptions = {}): Promise<WebGpuBackend> {
  checkOptions('createWebGpuBackend', options, { adapterKind: true, powerPreference: true, maxBatch: true, maxPoolBytes: true, matmulVariant: true });
  const fallback = "use the 'wasm' backend instead";
  if (!gpu || typeof gpu.requestAdapter !== 'function') {
    throw new BackendUnavailableError(`webgpu: this runtime has no WebGPU (navigator.gpu is missing); ${fallback}`);
  }
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter(options.powerPreference ? { powerPreference: options.powerPreference } : undefined);
  } catch (e) {
    throw new BackendUnavailableError(`webgpu: requestAdapter() failed (${String(e)}); ${fallback}`);
  }
  if (!adapter) {
    throw new BackendUnavailableError(`webgpu: no WebGPU adapter found (no GPU, or no Vulkan/Metal/D3D driver; on Linux without a GPU install SwiftShader and set VK_ICD_FILENAMES); ${fallback}`);
  }
  const al = adapter.limits;
  const requiredLimits: Record<string, number> = {
    maxStorageBufferBindingSize: al.maxStorageBufferBindingSize,
    maxBufferSize: al.maxBufferSize,
    maxComputeWorkgroupStorageSize: al.maxComputeWorkgroupStorageSize,
    maxComputeInvocationsPerWorkgroup: al.maxComputeInvocationsPerWorkgroup,
    maxStorageBuffersPerShaderStage: al.maxStorageBuffersPerShaderStage,
  };
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ requiredLimits });
  } catch (e) {
    throw new BackendUnavailableError(`webgpu: the adapter refused to create a device (${String(e)}); ${fallback}`);
  }
  const software = isSoftwareAdapter(adapter);
  const backend = new WebGpuBackend(device, describeAdapter(adapter, software), options.adapterKind ?? (software ? 'software' : 'hardware'), options);
  backend.gpu = gpu;
  try {
    await backend.checkBuiltinShaders();
  } catch (e) {
    backend.dispose();
    throw e;
  }
  return backend;
}

/** The WebGPU backend. Create it with createWebGpuBackend(). */
export class WebGpuBackend extends BaseBackend<GpuMat> {
  readonly name = 'webgpu' as const;
  /** Adapter vendor / architecture / device / driver, and whether it is a software adapter. */
  readonly description: string;
  /** The device, for tests and interop (e.g. `device.destroy()` to simulate a device loss). */
  readonly device: GPUDevice;
  /** Which matmul kernels pickMatmulVariant chooses. */
  readonly adapterKind: AdapterKind;
  /**
   * The GPU object the device came from. Held so that it lives as long as the backend: Dawn in Node tears
   * down its instance (and crashes pending work) when the object that `create()` returned is collected.
   */
  gpu: GPU | null = null;
  /** Resolves with the error every op throws once the device is lost (or the backend disposed). */
  readonly whenLost: Promise<DeviceLostError>;

  private lostError: DeviceLostError | null = null;
  private disposed = false;
  private deferredError: FeaturelabError | null = null;
  private pendingChecks = new Set<Promise<void>>();

  private readonly maxBytes: number;
  private readonly maxBatch: number;
  private readonly maxPoolBytes: number;
  private readonly matmulVariantOverride: WebGpuOptions['matmulVariant'];
  private pool = new Map<number, PooledBuffer[]>();
  private stagingPool = new Map<number, GPUBuffer[]>();
  private pooledBytes = 0;
  private toDestroy: GPUBuffer[] = [];
  private readonly dummy: PooledBuffer;

  private modules = new Map<ShaderName, GPUShaderModule>();
  private pipelines = new Map<string, GPUComputePipeline>();
  private storageLayouts = new Map<string, GPUBindGroupLayout>();
  private readonly uniformLayout: GPUBindGroupLayout;
  private readonly uniformBuffer: GPUBuffer;
  private readonly uniformBindGroup: GPUBindGroup;
  private readonly uniformData: ArrayBuffer;
  private readonly uniformView: DataView;

  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  /** The pipeline last set on `pass` (setPipeline is skipped when it does not change). */
  private passPipeline: GPUComputePipeline | null = null;
  private slot = 0;
  private batch = 1;
  private flushScheduled = false;
  private counters = { submits: 0, dispatches: 0, buffersCreated: 0, buffersReused: 0, bindGroupsCreated: 0, bindGroupsReused: 0 };
  /**
   * Bind groups by layout and buffer ids. Pooled buffers come back for the same ops step after step, so a
   * training loop creates its bind groups once instead of once per dispatch (a costly call in Dawn).
   */
  private bindGroups = new Map<string, GPUBindGroup>();
  private nextBufferId = 1;

  /** Use createWebGpuBackend(); this constructor takes an already created device. */
  constructor(device: GPUDevice, description: string, adapterKind: AdapterKind, options: WebGpuOptions = {}) {
    super();
    this.device = device;
    this.description = description;
    this.adapterKind = adapterKind;
    const lim = device.limits;
    this.maxBytes = Math.floor(Math.min(lim.maxStorageBufferBindingSize, lim.maxBufferSize) / 16) * 16;
    this.maxBatch = Math.max(1, Math.min(DEFAULT_MAX_BATCH, Math.floor(options.maxBatch ?? DEFAULT_MAX_BATCH)));
    this.maxPoolBytes = options.maxPoolBytes ?? 512 * 2 ** 20;
    this.matmulVariantOverride = options.matmulVariant;
    this.whenLost = device.lost.then((info) => {
      this.lostError ??= new DeviceLostError(this.disposed
        ? 'webgpu: this backend was disposed; create a new one with init() (or use the wasm backend)'
        : `webgpu: the GPU device was lost (${info.reason}: ${info.message || 'no message'}); every matrix on it is gone. Re-initialise with init() and upload the data again, or fall back to the 'wasm' backend`);
      return this.lostError;
    });
    this.uniformLayout = device.createBindGroupLayout({
      label: 'featurelab uniforms',
      entries: [{ binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform', hasDynamicOffset: true, minBindingSize: SLOT_BYTES } }],
    });
    this.uniformData = new ArrayBuffer(SLOT_BYTES * this.maxBatch);
    this.uniformView = new DataView(this.uniformData);
    this.uniformBuffer = device.createBuffer({ label: 'featurelab uniform arena', size: this.uniformData.byteLength, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    this.uniformBindGroup = device.createBindGroup({ layout: this.uniformLayout, entries: [{ binding: 0, resource: { buffer: this.uniformBuffer, size: SLOT_BYTES } }] });
    this.dummy = { buffer: device.createBuffer({ label: 'featurelab dummy', size: 256, usage: GPUBufferUsage.STORAGE }), size: 256, lastBatch: 0, id: 0, groups: new Set() };
  }

  // ---------------------------------------------------------------- lifecycle and errors

  /** Throws when the device is lost or the backend disposed, or when an earlier GPU error is pending. */
  private checkUsable(): void {
    if (this.lostError) throw this.lostError;
    if (this.disposed) throw new DeviceLostError('webgpu: this backend was disposed; create a new one with init() (or use the wasm backend)');
    if (this.deferredError) {
      const e = this.deferredError;
      this.deferredError = null;
      throw e;
    }
  }

  /** Releases every buffer and the device; later ops throw DeviceLostError. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.encoder = null;
    this.pass = null;
    for (const list of this.pool.values()) for (const b of list) b.buffer.destroy();
    for (const list of this.stagingPool.values()) for (const b of list) b.destroy();
    this.pool.clear();
    this.stagingPool.clear();
    this.bindGroups.clear();
    this.pooledBytes = 0;
    this.device.destroy();
  }

  /** Counters: cached pipelines, submits, dispatches, buffers and bind groups created and reused, pooled bytes. */
  stats(): WebGpuStats {
    return { pipelines: this.pipelines.size, ...this.counters, pooledBytes: this.pooledBytes, bindGroupsCached: this.bindGroups.size };
  }

  /** Waits for every pending validation check and throws the first error found. */
  private async settleChecks(): Promise<void> {
    while (this.pendingChecks.size > 0) await Promise.all([...this.pendingChecks]);
    this.checkUsable();
  }

  /** Compiles every built-in module and throws ShaderCompileError for the first that fails. */
  async checkBuiltinShaders(): Promise<void> {
    for (const name of Object.keys(SHADERS) as ShaderName[]) {
      const module = this.module(name);
      const info = await module.getCompilationInfo();
      if (info.messages.some((m) => m.type === 'error')) {
        throw new ShaderCompileError(`webgpu: built-in kernel ${name}.wgsl does not compile on this WebGPU implementation:\n${formatCompileMessages(shaderParts(name), info.messages)}\nThis is a featurelab bug; please report it with the adapter description (${this.description}). Meanwhile use the 'wasm' backend.`);
      }
    }
  }

  /**
   * Compiles arbitrary WGSL (entry point `main`) through the pipeline cache and resolves with its pipeline
   * (layout 'auto'); throws ShaderCompileError with line numbers and the offending lines when it does not
   * compile. A test hook for the error path, and a way to run custom kernels.
   */
  async compileShader(code: string, label = 'custom.wgsl', constants: Constants = {}): Promise<GPUComputePipeline> {
    this.checkUsable();
    const key = `custom|${label}|${code}|${constantsKey(constants)}`;
    const hit = this.pipelines.get(key);
    if (hit) return hit;
    const parts = [{ file: label, code }];
    this.device.pushErrorScope('validation');
    const module = this.device.createShaderModule({ label, code });
    const info = await module.getCompilationInfo();
    const scopeError = await this.device.popErrorScope();
    if (info.messages.some((m) => m.type === 'error') || scopeError) {
      const detail = formatCompileMessages(parts, info.messages) || `  ${scopeError?.message ?? 'unknown error'}`;
      throw new ShaderCompileError(`webgpu: ${label} does not compile:\n${detail}\nFix the WGSL at the lines shown.`);
    }
    let pipeline: GPUComputePipeline;
    try {
      pipeline = await this.device.createComputePipelineAsync({ label, layout: 'auto', compute: { module, entryPoint: 'main', constants: toGpuConstants(constants) } });
    } catch (e) {
      throw new ShaderCompileError(`webgpu: ${label} compiles but its pipeline cannot be created: ${(e as Error).message ?? String(e)}\nCheck the entry point 'main', the override constants and the bindings.`);
    }
    this.pipelines.set(key, pipeline);
    return pipeline;
  }

  /** Creates (once) the module of a built-in kernel. */
  private module(name: ShaderName): GPUShaderModule {
    let m = this.modules.get(name);
    if (!m) {
      // Errors are reported from getCompilationInfo() (checkBuiltinShaders) or the pipeline's error scope.
      this.device.pushErrorScope('validation');
      m = this.device.createShaderModule({ label: `${name}.wgsl`, code: joinParts(shaderParts(name)) });
      this.track(this.device.popErrorScope().then(() => undefined, () => undefined));
      this.modules.set(name, m);
    }
    return m;
  }

  /** The bind group of `ins` (read-only) then `outs` (read-write), cached by their buffers' ids. */
  private bindGroup(reads: number, writes: number, ins: PooledBuffer[], outs: PooledBuffer[]): GPUBindGroup {
    let key = `${reads}r${writes}w:`;
    for (const b of ins) key += `${b.id},`;
    for (const b of outs) key += `${b.id},`;
    const hit = this.bindGroups.get(key);
    if (hit) {
      this.counters.bindGroupsReused++;
      return hit;
    }
    if (this.bindGroups.size >= MAX_BIND_GROUPS) this.bindGroups.clear(); // buffers' stale keys are harmless
    const buffers = [...ins, ...outs];
    const entries: GPUBindGroupEntry[] = buffers.map((b, i) => ({ binding: i, resource: { buffer: b.buffer } }));
    const group = this.device.createBindGroup({ layout: this.storageLayout(reads, writes), entries });
    this.bindGroups.set(key, group);
    for (const b of buffers) b.groups.add(key);
    this.counters.bindGroupsCreated++;
    return group;
  }

  /** Drops the cached bind groups of a buffer about to be destroyed. */
  private forgetBindGroups(b: PooledBuffer): void {
    for (const key of b.groups) this.bindGroups.delete(key);
    b.groups.clear();
  }

  /** Bind-group layout of `reads` read-only storage buffers followed by `writes` read-write ones. */
  private storageLayout(reads: number, writes: number): GPUBindGroupLayout {
    const key = `${reads}r${writes}w`;
    let l = this.storageLayouts.get(key);
    if (!l) {
      const entries: GPUBindGroupLayoutEntry[] = [];
      for (let i = 0; i < reads + writes; i++) {
        entries.push({ binding: i, visibility: GPUShaderStage.COMPUTE, buffer: { type: i < reads ? 'read-only-storage' : 'storage' } });
      }
      l = this.device.createBindGroupLayout({ label: `featurelab storage ${key}`, entries });
      this.storageLayouts.set(key, l);
    }
    return l;
  }

  /** The cached pipeline of a built-in kernel and override constants (the key names every variant). */
  private pipeline(name: ShaderName, constants: Constants): GPUComputePipeline {
    const key = `${name}|${constantsKey(constants)}`;
    const hit = this.pipelines.get(key);
    if (hit) return hit;
    const spec = SHADERS[name];
    const module = this.module(name);
    const layout = this.device.createPipelineLayout({ bindGroupLayouts: [this.storageLayout(spec.reads, spec.writes), this.uniformLayout] });
    this.device.pushErrorScope('validation');
    const pipeline = this.device.createComputePipeline({ label: key, layout, compute: { module, entryPoint: 'main', constants: toGpuConstants(constants) } });
    const check = this.device.popErrorScope().then(async (err) => {
      if (!err) return;
      // Not kept: a later use builds the pipeline again and reports it again, instead of failing as a batch error.
      if (this.pipelines.get(key) === pipeline) this.pipelines.delete(key);
      const message = (detail: string) => `webgpu: pipeline ${key} failed to compile:\n${detail}\nThis is a featurelab bug; please report it with the adapter description (${this.description}). Meanwhile use the 'wasm' backend.`;
      const failure = new ShaderCompileError(message(`  ${err.message}`));
      // Set now, before the compilation info arrives: the batch that used the pipeline fails too, and its
      // generic validation error must not take the place of this one (read() waits for this check to end).
      if (!(this.deferredError instanceof ShaderCompileError)) this.deferredError = failure;
      const info = await module.getCompilationInfo();
      const detail = formatCompileMessages(shaderParts(name), info.messages);
      if (detail) failure.message = message(detail);
    }, () => undefined);
    this.track(check);
    this.pipelines.set(key, pipeline);
    return pipeline;
  }

  /** Keeps a validation check pending until it settles (read() waits for all of them). */
  private track(check: Promise<void>): void {
    const p = check.finally(() => this.pendingChecks.delete(p));
    this.pendingChecks.add(p);
  }

  // ---------------------------------------------------------------- buffers

  /** Size class of a byte count: 1, 1.25, 1.5 or 1.75 × a power of two, a multiple of 16, at least 256. */
  private sizeClass(bytes: number): number {
    const b = Math.max(256, bytes);
    const base = 2 ** Math.floor(Math.log2(b));
    for (const f of [1, 1.25, 1.5, 1.75, 2]) {
      const c = Math.ceil((base * f) / 16) * 16;
      if (c >= b) return Math.min(c, this.maxBytes);
    }
    return Math.min(Math.ceil(b / 16) * 16, this.maxBytes);
  }

  /** A storage buffer of at least `bytes` bytes, from the pool when one is free. */
  private acquire(bytes: number): PooledBuffer {
    const size = this.sizeClass(bytes);
    const list = this.pool.get(size);
    const hit = list?.pop();
    if (hit) {
      this.pooledBytes -= size;
      this.counters.buffersReused++;
      return hit;
    }
    this.counters.buffersCreated++;
    // Each buffer fits the limits (allocMat checked); whether the device has the memory is only known later:
    // an out-of-memory error surfaces at the next op or read() as MatrixTooLargeError instead of garbage.
    this.device.pushErrorScope('out-of-memory');
    const buffer = this.device.createBuffer({ size, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
    this.track(this.device.popErrorScope().then((err) => {
      if (err) this.deferredError ??= new DeviceOutOfMemoryError(`webgpu: the device ran out of memory creating a ${size}-byte buffer (${this.pooledBytes} bytes pooled): ${err.message}; free matrices you no longer need (or use scope()), use smaller sizes, or use the 'wasm' backend`);
    }, () => undefined));
    return { buffer, size, lastBatch: 0, id: this.nextBufferId++, groups: new Set() };
  }

  /** Returns a buffer to the pool, or destroys it (after the batch that uses it) when the pool is full. */
  private release(b: PooledBuffer): void {
    if (this.disposed || this.lostError) return;
    if (b.size > this.maxPoolBytes) {
      this.destroyPooled(b);
      return;
    }
    // A full pool makes room by dropping the size classes released longest ago (Map order), not the buffer
    // being released: otherwise buffers of sizes no longer used (a finished phase's big matrices) would
    // hold the pool, and every temporary of a new size would be created and destroyed on each use.
    for (const [size, list] of this.pool) {
      if (this.pooledBytes + b.size <= this.maxPoolBytes) break;
      if (size === b.size) continue;
      while (list.length > 0 && this.pooledBytes + b.size > this.maxPoolBytes) {
        this.pooledBytes -= size;
        this.destroyPooled(list.shift()!);
      }
      if (list.length === 0) this.pool.delete(size);
    }
    if (this.pooledBytes + b.size > this.maxPoolBytes) {
      this.destroyPooled(b);
      return;
    }
    this.pooledBytes += b.size;
    const list = this.pool.get(b.size) ?? [];
    this.pool.delete(b.size);           // re-inserted last: the Map runs from least to most recently released
    this.pool.set(b.size, list);
    list.push(b);
  }

  /** Destroys a buffer leaving the pool (after the recorded batch, if that batch still uses it). */
  private destroyPooled(b: PooledBuffer): void {
    this.forgetBindGroups(b);
    if (b.lastBatch === this.batch && this.encoder) this.toDestroy.push(b.buffer);
    else b.buffer.destroy();
  }

  private acquireStaging(bytes: number): { buffer: GPUBuffer; size: number } {
    const size = this.sizeClass(bytes);
    const hit = this.stagingPool.get(size)?.pop();
    return { buffer: hit ?? this.device.createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST }), size };
  }

  private releaseStaging(s: { buffer: GPUBuffer; size: number }): void {
    if (this.disposed || this.lostError) return;
    let list = this.stagingPool.get(s.size);
    if (!list) this.stagingPool.set(s.size, (list = []));
    if (list.length < 4) list.push(s.buffer);
    else s.buffer.destroy();
  }

  // ---------------------------------------------------------------- batching

  private getEncoder(): GPUCommandEncoder {
    if (!this.encoder) {
      this.encoder = this.device.createCommandEncoder({ label: `featurelab batch ${this.batch}` });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setTimeout(() => {
          this.flushScheduled = false;
          if (!this.disposed && !this.lostError) this.flush();
        }, 0);
      }
    }
    return this.encoder;
  }

  private endPass(): void {
    this.pass?.end();
    this.pass = null;
  }

  /** Submits the recorded batch (no-op when nothing is recorded). read() calls it; callers rarely need to. */
  flush(): void {
    if (!this.encoder || this.disposed) return;
    this.endPass();
    const encoder = this.encoder;
    this.encoder = null;
    this.device.pushErrorScope('validation');
    if (this.slot > 0) this.device.queue.writeBuffer(this.uniformBuffer, 0, this.uniformData, 0, this.slot * SLOT_BYTES);
    this.device.queue.submit([encoder.finish()]);
    this.track(this.device.popErrorScope().then((err) => {
      if (err) this.deferredError ??= new FeaturelabError(`webgpu: internal validation error in a submitted batch: ${err.message}\nThis is a featurelab bug; please report it. Meanwhile use the 'wasm' backend.`);
    }, () => undefined));
    this.counters.submits++;
    this.slot = 0;
    this.batch++;
    for (const b of this.toDestroy) b.destroy();
    this.toDestroy = [];
  }

  /**
   * Records one dispatch of a built-in kernel: `reads` then `writes` bound at @group(0) in order, the
   * uniform values (`fmt`: 'u' u32 or 'f' f32 per value) at @group(1), `groups` workgroups (2-D folded).
   */
  private run(name: ShaderName, constants: Constants, reads: PooledBuffer[], writes: PooledBuffer[], fmt: string, values: number[], groups: number): void {
    this.checkUsable();
    // Host cost matters here (a training step records dozens of small dispatches): no per-call sets,
    // spreads or sorts on the common path of one output that no input aliases.
    if (writes.length > 1 && new Set(writes).size !== writes.length) {
      throw new ArgumentError(`webgpu ${name}: the matrices updated in place must be distinct (the same matrix was passed twice)`);
    }
    let ins = reads;
    let temps: PooledBuffer[] | null = null;
    if (reads.some((r) => writes.includes(r))) {
      temps = [];
      ins = reads.map((r) => {
        if (!writes.includes(r)) return r;
        const t = this.acquire(r.size);     // an input that is also written: read a copy
        this.run('copy_elementwise', {}, [r], [t], 'u', [r.size / 4], Math.ceil(r.size / 4 / EW_WG));
        temps!.push(t);
        return t;
      });
    }
    const pipeline = this.pipeline(name, constants);
    const spec = SHADERS[name];
    const bindGroup = this.bindGroup(spec.reads, spec.writes, ins, writes);
    const slot = this.slot++;
    const off = slot * SLOT_BYTES;
    for (let i = 0; i < fmt.length; i++) {
      if (fmt.charCodeAt(i) === 117 /* 'u' */) this.uniformView.setUint32(off + 4 * i, values[i]! >>> 0, true);
      else this.uniformView.setFloat32(off + 4 * i, values[i]!, true);
    }
    this.getEncoder();
    if (!this.pass) {
      this.pass = this.encoder!.beginComputePass();
      this.passPipeline = null;
    }
    const gx = Math.max(1, Math.min(groups, MAX_GROUPS_PER_DIM));
    if (pipeline !== this.passPipeline) {     // consecutive dispatches of one kernel set it once
      this.pass.setPipeline(pipeline);
      this.passPipeline = pipeline;
    }
    this.pass.setBindGroup(0, bindGroup);
    this.pass.setBindGroup(1, this.uniformBindGroup, [off]);
    this.pass.dispatchWorkgroups(gx, Math.ceil(groups / gx));
    this.counters.dispatches++;
    for (const b of ins) b.lastBatch = this.batch;
    for (const b of writes) b.lastBatch = this.batch;
    if (temps) for (const t of temps) this.release(t);
    if (this.slot >= this.maxBatch) this.flush();
  }

  /** An element-wise kernel over `len` elements. */
  private runElementwise(name: ShaderName, reads: PooledBuffer[], writes: PooledBuffer[], fmt: string, values: number[], len: number, constants: Constants = {}): void {
    this.run(name, constants, reads, writes, fmt, values, Math.ceil(len / EW_WG));
  }

  // ---------------------------------------------------------------- storage hooks

  protected allocMat(rows: number, cols: number): GpuMat {
    this.checkUsable();
    const bytes = rows * cols * 4;
    if (bytes > this.maxBytes) {
      throw new MatrixTooLargeError(`webgpu: a ${rows}×${cols} matrix needs ${bytes} bytes but this device allows at most ${this.maxBytes} bytes per buffer (maxStorageBufferBindingSize ${this.device.limits.maxStorageBufferBindingSize}, maxBufferSize ${this.device.limits.maxBufferSize}); split it into smaller matrices or use the 'wasm' backend`);
    }
    return new GpuMat(rows, cols, this.acquire(bytes));
  }

  protected writeMat(m: GpuMat, data: Float32Array): void {
    this.checkUsable();
    const b = buf(m);
    // queue.writeBuffer runs before the unsubmitted batch: submit it first if it still reads this buffer.
    if (b.lastBatch === this.batch && this.encoder) this.flush();
    this.device.queue.writeBuffer(b.buffer, 0, data.buffer, data.byteOffset, data.byteLength);
  }

  protected async readMat(m: GpuMat): Promise<Float32Array> {
    this.checkUsable();
    const b = buf(m);
    const bytes = m.size * 4;
    const staging = this.acquireStaging(bytes);
    this.getEncoder();
    this.endPass();
    this.encoder!.copyBufferToBuffer(b.buffer, 0, staging.buffer, 0, bytes);
    b.lastBatch = this.batch;
    this.flush();
    try {
      await staging.buffer.mapAsync(GPUMapMode.READ, 0, bytes);
    } catch (e) {
      throw await this.mapFailure(e);
    }
    const out = new Float32Array(staging.buffer.getMappedRange(0, bytes).slice(0));
    staging.buffer.unmap();
    this.releaseStaging(staging);
    await this.settleChecks();
    return out;
  }

  /** The error to throw when mapAsync fails: the device loss if there is one (waiting briefly for it). */
  private async mapFailure(e: unknown): Promise<FeaturelabError> {
    // A buffer this read used may have failed to allocate: that (out of memory) is the error, not a lost device.
    try {
      await this.settleChecks();
    } catch (pending) {
      if (pending instanceof FeaturelabError) return pending;
    }
    if (!this.lostError) await Promise.race([this.whenLost, new Promise((r) => setTimeout(r, 200))]);
    return this.lostError ?? new DeviceLostError(`webgpu: read() failed: ${String(e)}; the device is probably unusable. Re-initialise with init() or fall back to the 'wasm' backend`);
  }

  protected releaseMat(m: GpuMat): void {
    const b = m.buf;
    m.buf = null;
    if (b) this.release(b);
  }

  protected isOwn(m: Mat): m is GpuMat {
    return m instanceof GpuMat;
  }

  // ---------------------------------------------------------------- kernels

  protected kFill(out: GpuMat, value: number): void {
    this.runElementwise('fill_value', [], [buf(out)], 'uf', [out.size, value], out.size);
  }

  protected kCopy(out: GpuMat, x: GpuMat): void {
    this.runElementwise('copy_elementwise', [buf(x)], [buf(out)], 'u', [x.size], x.size);
  }

  protected kMatmul(out: GpuMat, a: GpuMat, b: GpuMat, p: MatmulPlan<GpuMat>): void {
    if (p.act === 'sin' || p.act === 'cos') {
      // The matmul shaders leave out sin and cos's large-argument reduction (trig_none.wgsl): the pre-activations
      // go to a temporary, and sin or cos from there into out.
      const pre = this.acquire(out.size * 4);
      try {
        this.matmulInto(pre, a, b, { ...p, act: 'none' });
        this.runElementwise('unary_elementwise', [pre], [buf(out)], 'u', [out.size], out.size, { OP: UNARY_OPS.indexOf(p.act) });
      } finally {
        this.release(pre);
      }
      return;
    }
    this.matmulInto(buf(out), a, b, p);
  }

  /** The product of plan `p` into `target` (batch·m·n floats), with the kernel pickMatmulVariant chooses. */
  private matmulInto(target: PooledBuffer, a: GpuMat, b: GpuMat, p: MatmulPlan<GpuMat>): void {
    const { m, n, k, transA, transB } = p;
    const v = (this.matmulVariantOverride ?? pickMatmulVariant)({ m, n, k, transA, transB, batch: p.batch }, this.adapterKind);
    const fused = p.c !== null || p.bias !== null || p.act !== 'none';
    let name: ShaderName;
    let constants: Constants;
    let tileRows: number;
    let tileCols: number;
    switch (v.kernel) {
      case 'simple':
        name = 'matmul_simple';
        constants = { TRANS_A: transA, TRANS_B: transB, TS: v.ts };
        tileRows = tileCols = v.ts;
        break;
      case 'regblock':
        name = 'matmul_regblock';
        constants = { TRANS_A: transA, TRANS_B: transB, VEC_A: v.vecA, VEC_B: v.vecB, FUSED: fused, WX: v.wx, WY: v.wy, RB: v.rb, CB: v.cb };
        tileRows = 4 * v.rb * v.wy;
        tileCols = 4 * v.cb * v.wx;
        break;
      case 'tiled':
        this.matmulTiled(target, a, b, p, v, fused);
        return;
      default:
        return v satisfies never;
    }
    const tilesX = Math.ceil(n / tileCols);
    const tiles = tilesX * Math.ceil(m / tileRows);
    this.run(name, { ...constants, ...actConstant(p.act) },
      [buf(a), buf(b), p.c ? buf(p.c) : this.dummy, p.bias ? buf(p.bias) : this.dummy], [target],
      'uuuuuuuuuffuuuu', [m, n, k, a.cols, b.cols, tilesX, tiles, p.c ? 1 : 0, p.bias ? 1 : 0, p.alpha, p.beta,
        p.batch, p.strideA, p.strideB, p.biasStride],
      p.batch * tiles);
  }

  /** The workgroup-tiled kernel, in one pass, or split over K into slices that a second pass adds up. */
  private matmulTiled(target: PooledBuffer, a: GpuMat, b: GpuMat, p: MatmulPlan<GpuMat>, v: MatmulVariant & { kernel: 'tiled' }, fused: boolean): void {
    const { m, n, k, transA, transB } = p;
    const tile = 8 * v.wg;
    const tilesX = Math.ceil(n / tile);
    const tiles = tilesX * Math.ceil(m / tile);
    // Slices of whole K steps; fewer slices than asked when K is short or the partial sums would not fit
    // in one storage buffer.
    const wanted = Math.max(1, Math.min(v.split, Math.floor(this.maxBytes / (p.batch * m * n * 4))));
    const kSlice = Math.ceil(Math.ceil(k / wanted) / v.tk) * v.tk;
    const slices = Math.ceil(k / kSlice);
    const split = slices > 1;
    const constants: Constants = { TRANS_A: transA, TRANS_B: transB, VEC_A: v.vecA, VEC_B: v.vecB, FUSED: fused && !split, WG: v.wg, TK: v.tk, PREFETCH: v.prefetch, ...(split ? {} : actConstant(p.act)) };
    const reads = [buf(a), buf(b), p.c ? buf(p.c) : this.dummy, p.bias ? buf(p.bias) : this.dummy];
    const values = [m, n, k, a.cols, b.cols, tilesX, tiles, p.c ? 1 : 0, p.bias ? 1 : 0, p.alpha, p.beta, kSlice,
      p.batch, p.strideA, p.strideB, p.biasStride];
    if (!split) {
      this.run('matmul_tiled', constants, reads, [target], 'uuuuuuuuuffuuuuu', values, p.batch * tiles);
      return;
    }
    const len = p.batch * m * n;
    const partial = this.acquire(slices * len * 4);
    try {
      values[9] = 1; // partial sums unscaled: alpha is applied once, after the slices are added
      this.run('matmul_tiled', constants, reads, [partial], 'uuuuuuuuuffuuuuu', values, p.batch * tiles * slices);
      this.run('matmul_splitk_sum', actConstant(p.act), [partial, reads[2]!, reads[3]!], [target], 'uuuuuffuu',
        [len, n, slices, p.c ? 1 : 0, p.bias ? 1 : 0, p.alpha, p.beta, m * n, p.biasStride], Math.ceil(len / EW_WG));
    } finally {
      this.release(partial);
    }
  }

  protected kCholeskyDiag(a: GpuMat, k0: number, kb: number): number {
    this.run('cholesky_diag', {}, [], [buf(a)], 'uuuu', [a.cols, k0, kb, 0x7fc00000], 1);
    return -1; // a failed pivot shows as NaN on the diagonal (checked by the caller after read)
  }
  protected kTriInverse(out: GpuMat, l: GpuMat, k0: number, kb: number): void {
    this.run('tri_inverse', {}, [buf(l)], [buf(out)], 'uuu', [l.cols, k0, kb], 1);
  }
  protected kCopyBlock(out: GpuMat, src: GpuMat, r0: number, c0: number): void {
    this.runElementwise('copy_block', [buf(src)], [buf(out)], 'uuuuu', [out.rows, out.cols, src.cols, r0, c0], out.size);
  }
  protected kUpdateBlock(dst: GpuMat, t: GpuMat, r0: number, c0: number, mode: BlockUpdate): void {
    this.runElementwise('update_block', [buf(t)], [buf(dst)], 'uuuuuu', [t.rows, t.cols, dst.cols, r0, c0, BLOCK_UPDATES.indexOf(mode)], t.size);
  }

  protected kUnary(out: GpuMat, op: UnaryOp, x: GpuMat): void {
    this.runElementwise('unary_elementwise', [buf(x)], [buf(out)], 'u', [x.size], x.size, { OP: UNARY_OPS.indexOf(op) });
  }

  protected kUnaryGrad(out: GpuMat, op: UnaryOp, x: GpuMat, dy: GpuMat): void {
    this.runElementwise('unary_grad_elementwise', [buf(x), buf(dy)], [buf(out)], 'u', [x.size], x.size, { OP: UNARY_OPS.indexOf(op) });
  }

  protected kBinary(out: GpuMat, op: BinaryOp, a: GpuMat, b: GpuMat, bcast: Broadcast): void {
    this.runElementwise('binary_broadcast', [buf(a), buf(b)], [buf(out)], 'uu', [a.size, a.cols], a.size,
      { OP: BINARY_OPS.indexOf(op), BCAST: BROADCASTS.indexOf(bcast) });
  }

  /**
   * Whether `lines` lines of `len` elements each go one thread per line (sequential) rather than one
   * workgroup per line (a fixed-order tree): unless the lines are long and few. Software adapters make a
   * workgroup's barriers cost ~60 µs (SwiftShader: 128 column sums of 100×128 took 7.6 ms with a workgroup
   * per line; the cross-entropy of 100×10 logits 7.0 ms), so they take a thread per line whenever there are
   * a few dozen lines, up to SOFTWARE_LOOP_LIMIT elements: llvmpipe (Mesa's lavapipe, Deno's adapter without a GPU)
   * ends a loop after 65535 iterations in all without a word (a sum of 70 000 ones gave 65 534), and a workgroup
   * per line splits a line over its threads.
   */
  private threadPerLine(lines: number, len: number): boolean {
    return len <= 32 || (len <= 256 && lines >= 1024) || (this.adapterKind === 'software' && lines >= 32 && len <= SOFTWARE_LOOP_LIMIT);
  }

  /**
   * Reduces `lines` lines of `len` elements into one value per line (element t of line l at
   * (l / linesPerBlock)·blockStride + (l % linesPerBlock)·lineStride + t·elemStride; blocks: a batch of row
   * blocks, one block by default).
   */
  private reduceLines(x: PooledBuffer, out: PooledBuffer, op: number, lines: number, len: number, lineStride: number, elemStride: number, scale: number,
    linesPerBlock = lines, blockStride = 0): void {
    const values = [lines, len, lineStride, elemStride, op, scale, linesPerBlock, blockStride];
    if (this.threadPerLine(lines, len)) {
      this.run('reduce_thread', { WG: 64 }, [x], [out], 'uuuuufuu', values, Math.ceil(lines / 64));
    } else {
      this.run('reduce_workgroup', { WG: len >= 16384 ? 256 : 64 }, [x], [out], 'uuuuufuu', values, lines);
    }
  }

  protected kReduce(out: GpuMat, op: ReduceOp, x: GpuMat, axis: Axis, batch: number): void {
    const len = axis === 0 ? x.rows / batch : x.cols;
    const perBlock = axis === 0 ? x.cols : x.rows;
    this.reduceLines(buf(x), buf(out), REDUCE_OPS.indexOf(op), perBlock * batch, len,
      axis === 0 ? 1 : x.cols, axis === 0 ? x.cols : 1, op === 'mean' ? 1 / len : 1, perBlock, len * x.cols);
  }

  protected kTranspose(out: GpuMat, x: GpuMat): void {
    this.runElementwise('transpose_simple', [buf(x)], [buf(out)], 'uuu', [x.size, x.rows, x.cols], x.size);
  }

  protected kGatherRows(out: GpuMat, x: GpuMat, indices: GpuMat): void {
    this.runElementwise('gather_rows_simple', [buf(x), buf(indices)], [buf(out)], 'uuu', [out.size, x.cols, x.rows], out.size);
  }

  protected kGatherSumRows(out: GpuMat, x: GpuMat, offsets: GpuMat, sources: GpuMat): void {
    this.runElementwise('gather_sum_rows', [buf(x), buf(offsets), buf(sources)], [buf(out)], 'uuuu', [out.size, x.cols, x.rows, sources.size], out.size);
  }

  protected kSoftmaxCrossEntropy(loss: GpuMat, grad: GpuMat, logits: GpuMat, labels: GpuMat, meanOver: number): void {
    const m = logits.rows;
    const rowLoss = this.acquire(m * 4);
    const values = [m, logits.cols, 1 / meanOver];
    const perThread = this.threadPerLine(m, logits.cols);
    this.run('softmax_cross_entropy', { WG: 64, THREAD_PER_ROW: perThread }, [buf(logits), buf(labels)], [buf(grad), rowLoss], 'uuf', values, perThread ? Math.ceil(m / 64) : m);
    this.reduceLines(rowLoss, buf(loss), REDUCE_OPS.indexOf('sum'), 1, m, 0, 1, 1 / meanOver);
    this.release(rowLoss);
  }

  protected kMse(loss: GpuMat, grad: GpuMat, pred: GpuMat, target: GpuMat): void {
    const len = pred.size;
    const groups = Math.ceil(len / 256);
    const partial = this.acquire(groups * 4);
    this.run('mse_partial', { WG: 256 }, [buf(pred), buf(target)], [buf(grad), partial], 'uf', [len, 1 / len], groups);
    this.reduceLines(partial, buf(loss), REDUCE_OPS.indexOf('sum'), 1, groups, 0, 1, 1 / len);
    this.release(partial);
  }

  protected kSgd(param: GpuMat, grad: GpuMat, velocity: GpuMat | null, h: SgdPlan): void {
    this.runElementwise('sgd_step_elementwise', [buf(grad)], [buf(param), velocity ? buf(velocity) : this.dummy], 'ufffuu',
      [param.size, h.lr, h.momentum, h.weightDecay, h.nesterov ? 1 : 0, velocity ? 1 : 0], param.size);
  }

  protected kAdamw(param: GpuMat, grad: GpuMat, m: GpuMat, v: GpuMat, h: AdamWPlan): void {
    const { c1, c2 } = h;
    this.runElementwise('adamw_step_elementwise', [buf(grad)], [buf(param), buf(m), buf(v)], 'ufffffffff',
      [param.size, h.lr, h.beta1, h.beta2, 1 - h.beta1, 1 - h.beta2, h.eps, 1 - h.lr * h.weightDecay, 1 / c1, 1 / c2], param.size);
  }
}

/** The storage of a live matrix (BaseBackend has already refused freed ones). */
function buf(m: GpuMat): PooledBuffer {
  if (!m.buf) throw new ArgumentError('webgpu: internal error: a freed matrix reached a kernel');
  return m.buf;
}

/** A key for override constants, in the order given (cheap: it is built on every dispatch). */
function constantsKey(c: Constants): string {
  // Each built-in kernel's call site lists its constants in one fixed order; the same constants in another
  // order (a custom shader's caller) only cost a second cached pipeline.
  let key = '';
  for (const k in c) key += `${k}=${+c[k]!},`;
  return key;
}

/** Override constants as WebGPU wants them (booleans as 0/1). */
function toGpuConstants(c: Constants): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(c)) out[k] = +v;
  return out;
}
