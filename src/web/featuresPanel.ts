/**
 * The "learned features" panel: modadd's neurons in 3D (WebGPU, sharing the compute backend's device when there
 * is one, or a 2D canvas), with a note that says what is drawn, or why nothing is.
 */
import type { ResultFile } from '../experiments/resultFile.js';
import { modaddPointCloud } from './features3d.js';
import { canvasView, webgpuView, type FeatureView } from './view3d.js';

/** The 3D view and its note. */
export class FeaturesPanel {
  private view: FeatureView | null = null;
  /** Whether the view draws with the compute backend's device (lost with it). */
  private shared = false;
  /** The note before anything is shown (put back when a run starts). */
  private readonly firstNote: string | null;

  /** `device` is the compute backend's WebGPU device while the page has one, for the view to share. */
  constructor(private canvas: HTMLCanvasElement, private readonly note: HTMLElement, private readonly device: () => GPUDevice | undefined) {
    this.firstNote = note.textContent;
  }

  /** Whether the view draws with the compute backend's device, so that losing it loses the view too. */
  get sharesDevice(): boolean {
    return this.shared;
  }

  /** Clears the view and puts the first note back: the last run's neurons are not the next one's. */
  clear(): void {
    this.view?.clear();
    this.note.textContent = this.firstNote;
  }

  /** Shows modadd's neurons in the 3D view (or says why there is nothing to show, clearing what was shown). */
  async show(file: ResultFile): Promise<void> {
    const p = typeof file.config.p === 'number' ? file.config.p : NaN;
    const cloud = modaddPointCloud(file.details, p);
    // Rows a damaged or hand-edited file holds out of range are never drawn (nor allowed to size the guides).
    const rejected = cloud && cloud.rejected > 0
      ? ` ${cloud.rejected} active neuron row${cloud.rejected === 1 ? ' is' : 's are'} left out: zetaU is not a whole number from 0 to ⌊p/2⌋ = ${Math.floor(p / 2)} or phaseU is not a number (a damaged or hand-edited result.json?).` : '';
    if (!cloud || cloud.count === 0) {
      this.view?.clear();
      // An empty box says nothing the note does not: the view is hidden until there is something to draw.
      this.canvas.hidden = true;
      this.note.textContent = !cloud ? `The 3D view shows modadd's neurons; ${file.experiment} has no per-neuron frequencies to draw.`
        : cloud.active === 0 ? `None of this run's ${cloud.neurons} neurons is active${file.stoppedBy ? ` yet (stopped early by ${file.stoppedBy})` : ''}: nothing to draw.${rejected}`
          : `${cloud.active - cloud.rejected} active neuron${cloud.active - cloud.rejected === 1 ? '' : 's'}, none with a dominant frequency ζ ≥ 1 (a neuron at ζ = 0 has no circle): nothing to draw.${rejected}`;
      return;
    }
    this.canvas.hidden = false;
    if (!this.view) {
      const device = this.device();
      this.view = (await webgpuView(this.canvas, device).catch(() => null)) ?? canvasView(this.canvas);
      this.shared = this.view.kind === 'webgpu' && device !== undefined;
    }
    this.note.textContent = `${cloud.count} active neurons at r·(cos θ, sin θ) of their embedding's dominant frequency ζ (θ its phase, r its power), `
      + `height and colour by ζ = 1…${cloud.maxZeta} (neurons whose dominant frequency is 0 have no circle and are left out). Drag or arrow keys rotate, the wheel or + and − zoom. `
      + (this.view.kind === 'webgpu' ? 'Rendered with WebGPU.' : 'This browser has no WebGPU: drawn on a 2D canvas instead.') + rejected;
    this.view.show(cloud);
  }

  /** Forgets the 3D view and its canvas (a canvas keeps the context it was given): the next one starts on a fresh canvas, with a device of its own. */
  reset(): void {
    this.view = null;
    this.shared = false;
    const fresh = this.canvas.cloneNode(false) as HTMLCanvasElement;
    this.canvas.replaceWith(fresh);
    this.canvas = fresh;
  }
}
