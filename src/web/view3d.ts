/**
 * The 3D feature view: a WebGPU render pass (src/web/points.wgsl) drawing the point cloud and its guide
 * lines with depth, or — where the page has no WebGPU — the same projection drawn on a 2D canvas.
 * Mouse drag rotates, the wheel zooms (camera.ts).
 */
import shader from './points.wgsl';
import { defaultOrbit, dragged, project, viewProjection, zoomed, type Orbit } from './camera.js';
import type { PointCloud } from './features3d.js';
import { guideLines } from './features3d.js';

/** A view that can show a point cloud. */
export interface FeatureView {
  /** 'webgpu' or '2d' (the fallback). */
  readonly kind: 'webgpu' | '2d';
  /** Draws `cloud` (with at least one point) in place of what was shown. */
  show(cloud: PointCloud): void;
  /** Shows nothing (a new run starts, or a result has no neurons to draw): the last cloud must not pass for this one's. */
  clear(): void;
}

const FLOATS = 6; // xyz + rgb per vertex or point
/** The view's background (the 2D fallback's rgb(20, 23, 26)). */
const BACKGROUND: GPUColor = { r: 0.08, g: 0.09, b: 0.1, a: 1 };
const RADIUS_PX = 5;

/** Attaches drag-to-rotate and wheel-to-zoom (arrow keys and +/− from the keyboard) to `canvas`, calling `changed` with the new orbit. */
function attachOrbit(canvas: HTMLCanvasElement, get: () => Orbit, changed: (o: Orbit) => void): void {
  let last: { x: number; y: number } | null = null;
  canvas.addEventListener('pointerdown', (e) => { last = { x: e.clientX, y: e.clientY }; canvas.setPointerCapture(e.pointerId); });
  canvas.addEventListener('pointerup', () => { last = null; });
  canvas.addEventListener('pointermove', (e) => {
    if (!last) return;
    changed(dragged(get(), e.clientX - last.x, e.clientY - last.y));
    last = { x: e.clientX, y: e.clientY };
  });
  canvas.addEventListener('wheel', (e) => { e.preventDefault(); changed(zoomed(get(), e.deltaY)); }, { passive: false });
  // The same without a mouse: an arrow key is a 20 px drag, + and − one wheel notch.
  const keys: Record<string, (o: Orbit) => Orbit> = {
    ArrowLeft: (o) => dragged(o, -20, 0), ArrowRight: (o) => dragged(o, 20, 0), ArrowUp: (o) => dragged(o, 0, -20), ArrowDown: (o) => dragged(o, 0, 20),
    '+': (o) => zoomed(o, -100), '=': (o) => zoomed(o, -100), '-': (o) => zoomed(o, 100),
  };
  canvas.addEventListener('keydown', (e) => {
    const move = keys[e.key];
    if (!move) return;
    e.preventDefault();
    changed(move(get()));
  });
}

/** Sizes the canvas's drawing buffer to its displayed size; returns whether it changed. */
function fitCanvas(canvas: HTMLCanvasElement): boolean {
  const dpr = globalThis.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(canvas.clientWidth * dpr));
  const h = Math.max(1, Math.round(canvas.clientHeight * dpr));
  if (canvas.width === w && canvas.height === h) return false;
  canvas.width = w;
  canvas.height = h;
  return true;
}

/**
 * The WebGPU view on `canvas`, drawing with `shared` (the compute backend's device, so the page holds one) or a
 * device of its own; null when the page has no WebGPU adapter (the caller falls back to 2D).
 */
export async function webgpuView(canvas: HTMLCanvasElement, shared?: GPUDevice): Promise<FeatureView | null> {
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) return null;
  const device = shared ?? await (await gpu.requestAdapter())?.requestDevice();
  if (!device) return null;
  const context = canvas.getContext('webgpu');
  if (!context) return null;
  const format = gpu.getPreferredCanvasFormat();
  context.configure({ device, format, alphaMode: 'opaque' });
  const module = device.createShaderModule({ code: shader });
  const layout = device.createBindGroupLayout({ entries: [{ binding: 0, visibility: GPUShaderStage.VERTEX, buffer: { type: 'uniform' } }] });
  const pipelineLayout = device.createPipelineLayout({ bindGroupLayouts: [layout] });
  const attributes: GPUVertexAttribute[] = [{ shaderLocation: 0, offset: 0, format: 'float32x3' }, { shaderLocation: 1, offset: 12, format: 'float32x3' }];
  const depthStencil: GPUDepthStencilState = { format: 'depth24plus', depthWriteEnabled: true, depthCompare: 'less' };
  const discs = device.createRenderPipeline({
    layout: pipelineLayout,
    vertex: { module, entryPoint: 'disc_vertex', buffers: [{ arrayStride: FLOATS * 4, stepMode: 'instance', attributes }] },
    fragment: { module, entryPoint: 'disc_fragment', targets: [{ format }] },
    primitive: { topology: 'triangle-list' },
    depthStencil,
  });
  const lines = device.createRenderPipeline({
    layout: pipelineLayout,
    vertex: { module, entryPoint: 'line_vertex', buffers: [{ arrayStride: FLOATS * 4, attributes }] },
    fragment: { module, entryPoint: 'line_fragment', targets: [{ format }] },
    primitive: { topology: 'line-list' },
    depthStencil,
  });
  const uniform = device.createBuffer({ size: 80, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  const bindGroup = device.createBindGroup({ layout, entries: [{ binding: 0, resource: { buffer: uniform } }] });
  let orbit = defaultOrbit();
  let scene: { points: GPUBuffer; count: number; guides: GPUBuffer; guideCount: number } | null = null;
  let depth: GPUTexture | null = null;
  let pending = false;

  const vertexBuffer = (data: Float32Array<ArrayBuffer>): GPUBuffer => {
    const b = device.createBuffer({ size: data.byteLength, usage: GPUBufferUsage.VERTEX | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(b, 0, data);
    return b;
  };
  const render = (): void => {
    pending = false;
    if (!scene) {
      blank();
      return;
    }
    if (fitCanvas(canvas) || !depth) {
      depth?.destroy();
      depth = device.createTexture({ size: [canvas.width, canvas.height], format: 'depth24plus', usage: GPUTextureUsage.RENDER_ATTACHMENT });
    }
    const u = new Float32Array(20);
    u.set(viewProjection(orbit, canvas.width / canvas.height), 0);
    u.set([(2 * RADIUS_PX * (globalThis.devicePixelRatio || 1)) / canvas.width, (2 * RADIUS_PX * (globalThis.devicePixelRatio || 1)) / canvas.height], 16);
    device.queue.writeBuffer(uniform, 0, u);
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginRenderPass({
      colorAttachments: [{ view: context.getCurrentTexture().createView(), clearValue: BACKGROUND, loadOp: 'clear', storeOp: 'store' }],
      depthStencilAttachment: { view: depth.createView(), depthClearValue: 1, depthLoadOp: 'clear', depthStoreOp: 'store' },
    });
    pass.setBindGroup(0, bindGroup);
    pass.setPipeline(lines);
    pass.setVertexBuffer(0, scene.guides);
    pass.draw(scene.guideCount);
    pass.setPipeline(discs);
    pass.setVertexBuffer(0, scene.points);
    pass.draw(6, scene.count);
    pass.end();
    device.queue.submit([encoder.finish()]);
  };
  /** Clears the canvas to the background colour. */
  const blank = (): void => {
    const encoder = device.createCommandEncoder();
    encoder.beginRenderPass({ colorAttachments: [{ view: context.getCurrentTexture().createView(), clearValue: BACKGROUND, loadOp: 'clear', storeOp: 'store' }] }).end();
    device.queue.submit([encoder.finish()]);
  };
  const requestRender = (): void => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(render);
  };
  attachOrbit(canvas, () => orbit, (o) => { orbit = o; requestRender(); });
  return {
    kind: 'webgpu',
    show(cloud) {
      scene?.points.destroy();
      scene?.guides.destroy();
      const guides = guideLines(cloud.maxZeta);
      scene = { points: vertexBuffer(cloud.data), count: cloud.count, guides: vertexBuffer(guides), guideCount: guides.length / FLOATS };
      requestRender();
    },
    clear() {
      scene?.points.destroy();
      scene?.guides.destroy();
      scene = null;
      requestRender();
    },
  };
}

/** The 2D-canvas fallback: the same camera, points drawn back to front. */
export function canvasView(canvas: HTMLCanvasElement): FeatureView {
  let orbit = defaultOrbit();
  let cloud: PointCloud | null = null;
  const render = (): void => {
    const g = canvas.getContext('2d');
    if (!g) return;
    fitCanvas(canvas);
    const { width: w, height: h } = canvas;
    g.fillStyle = 'rgb(20, 23, 26)';
    g.fillRect(0, 0, w, h);
    if (!cloud) return;
    const m = viewProjection(orbit, w / h);
    const toPx = (p: [number, number, number]) => [(p[0] + 1) * 0.5 * w, (1 - p[1]) * 0.5 * h] as const;
    g.strokeStyle = 'rgb(140, 140, 140)';
    const guides = guideLines(cloud.maxZeta);
    g.beginPath();
    for (let i = 0; i < guides.length; i += 2 * FLOATS) {
      const a = project(m, guides[i]!, guides[i + 1]!, guides[i + 2]!);
      const b = project(m, guides[i + FLOATS]!, guides[i + FLOATS + 1]!, guides[i + FLOATS + 2]!);
      if (!a || !b) continue;
      g.moveTo(...toPx(a));
      g.lineTo(...toPx(b));
    }
    g.stroke();
    const pts: { px: readonly [number, number]; depth: number; rgb: string }[] = [];
    for (let i = 0; i < cloud.count; i++) {
      const d = cloud.data.subarray(i * FLOATS, (i + 1) * FLOATS);
      const p = project(m, d[0]!, d[1]!, d[2]!);
      if (p) pts.push({ px: toPx(p), depth: p[2], rgb: `rgb(${Math.round(d[3]! * 255)}, ${Math.round(d[4]! * 255)}, ${Math.round(d[5]! * 255)})` });
    }
    pts.sort((a, b) => b.depth - a.depth);
    const r = RADIUS_PX * (globalThis.devicePixelRatio || 1);
    for (const p of pts) {
      g.fillStyle = p.rgb;
      g.beginPath();
      g.arc(p.px[0], p.px[1], r, 0, 2 * Math.PI);
      g.fill();
    }
  };
  attachOrbit(canvas, () => orbit, (o) => { orbit = o; requestAnimationFrame(render); });
  return { kind: '2d', show(c) { cloud = c; render(); }, clear() { cloud = null; render(); } };
}
