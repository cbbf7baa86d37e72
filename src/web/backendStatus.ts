/**
 * The page's backends: which ones init() created and why any is missing, which ones a run may use now (WebGPU
 * not after its device was lost), and the header line that names the backend the form will run on.
 */
import { getBackend, getInitReport, getRunBackend, init, type InitReport } from '../backend/registry.js';
import type { Backend, BackendName } from '../backend/types.js';
import { WasmBackend } from '../backend/wasm/wasmBackend.js';
import type { WebGpuBackend } from '../backend/webgpu/webgpuBackend.js';
import type { DeviceLostError } from '../errors.js';
import type { RunSettings } from './experimentForm.js';

/** The backends the page has, and what it knows of the missing and the lost ones. */
export class PageBackends {
  /** The backends init() created (none before init). */
  names: BackendName[] = [];
  /** What init() found, each unavailable backend with why. */
  report: InitReport = { available: [], unavailable: [] };
  /** The backend a run uses when none is named, and why another was passed over (null before init). */
  forRuns: ReturnType<typeof getRunBackend> | null = null;
  /** Set once the WebGPU device is lost: no run, Resume included, uses it again. */
  gpuLost = false;

  /** Starts the backends and offers them in `choice`, set to the one for runs; returns their names. */
  async start(choice: HTMLSelectElement, log: (message: string) => void): Promise<BackendName[]> {
    const names = await init({ prefer: ['webgpu', 'wasm'], log });
    this.names = names;
    this.report = getInitReport();
    choice.replaceChildren(...names.map((n) => new Option(n, n)));
    // WebGPU on a software adapter (no GPU) is slower than WASM: start on WASM then, and say why.
    this.forRuns = getRunBackend();
    choice.value = this.forRuns.backend.name;
    return names;
  }

  /** The backends a run may use now (WebGPU not after its device was lost). */
  usable(): BackendName[] {
    return this.names.filter((n) => n !== 'webgpu' || !this.gpuLost);
  }

  /** The compute backend's WebGPU device, for the 3D view to draw with, while the page has one. */
  viewDevice(): GPUDevice | undefined {
    return this.names.includes('webgpu') && !this.gpuLost ? (getBackend('webgpu') as WebGpuBackend).device : undefined;
  }

  /** `s` on a backend this page can use now: a run kept on WebGPU, or set to it before its device was lost, goes on WASM (said in the log). */
  onUsable(s: RunSettings, log: (message: string) => void): RunSettings {
    const usable = this.usable();
    if (usable.includes(s.backend)) return s;
    const backend = usable.includes('wasm') ? 'wasm' : usable[0]!;
    log(`${s.backend} ${s.backend === 'webgpu' && this.gpuLost ? 'lost its device in this page' : 'is not available in this page'}: running on ${backend} instead (a checkpoint holds host copies of the state, so a resumed run goes on where it stood)`);
    return { ...s, backend };
  }

  /** Notes the WebGPU device as lost (said in the log) and takes WebGPU out of `choice`, which moves to a usable backend. */
  loseGpu(e: DeviceLostError, choice: HTMLSelectElement, log: (message: string) => void): void {
    this.gpuLost = true;
    log(`${e.message.split(';')[0]}: runs use ${this.usable().join(', ') || 'no backend'} from now on`);
    const option = choice.querySelector<HTMLOptionElement>('option[value="webgpu"]');
    if (option) {
      option.disabled = true;
      option.textContent = 'webgpu (device lost)';
    }
    if (choice.value === 'webgpu' && this.usable().length > 0) choice.value = this.usable()[0]!;
  }
}

/** Describes a backend for the status line: name, description, WASM threads and why. */
export function describeBackend(b: Backend): string {
  const parts = [`${b.name}: ${b.description}`];
  if (b instanceof WasmBackend) {
    parts.push(`${b.threads} WASM thread${b.threads === 1 ? '' : 's'}${globalThis.crossOriginIsolated ? '' : ' (the page is not cross-origin isolated, so one: serve it with COOP/COEP headers, as `npm run web` does)'}`);
  }
  return parts.join(' — ');
}

/** The header names the backend the form will run on, and why any is missing or passed over (while a run goes, the one that runs). */
export function showBackend(ui: { backend: HTMLElement; backendChoice: HTMLSelectElement }, backends: PageBackends, running: boolean): void {
  const { forRuns } = backends;
  if (running || !forRuns) return; // the header names the backend that runs
  const passedOver = forRuns.note && ui.backendChoice.value === forRuns.backend.name ? [`(${forRuns.note}; choose webgpu to use it anyway)`] : [];
  const lost = backends.gpuLost ? ['(webgpu: its device was lost; runs go on without it)'] : [];
  const missing = [...passedOver, ...lost, ...backends.report.unavailable.map((u) => `(${u.name} unavailable: ${u.reason})`)];
  ui.backend.textContent = [`will run on ${describeBackend(getBackend(ui.backendChoice.value as BackendName))}`, ...missing].join(' ');
  ui.backend.dataset.name = ui.backendChoice.value;
}
