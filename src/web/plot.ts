/**
 * Live metric plots: one small SVG per series, redrawn when a sample arrives (own drawing code, no
 * dependency; SVG, not canvas, so a lost GPU context cannot blank them). The container's `data-updates` counts redraws, so a test can see the plot move.
 */
import { fmt } from '../report/format.js';

/** One series' samples, in arrival order. */
interface Line {
  xs: number[];
  ys: number[];
  svg: SVGSVGElement;
  label: HTMLElement;
  dirty: boolean;
}

/** A grid of live plots, one per series name. */
export class LivePlots {
  private lines = new Map<string, Line>();
  private scheduled = false;
  private updates = 0;

  constructor(private readonly root: HTMLElement) {}

  /** Removes every plot (a new run starts). */
  clear(): void {
    this.lines.clear();
    this.root.replaceChildren();
    this.updates = 0;
    this.root.dataset.updates = '0';
  }

  /** Adds one sample of series `name` and schedules a redraw. */
  add(name: string, x: number, y: number): void {
    let line = this.lines.get(name);
    if (!line) {
      const figure = document.createElement('figure');
      const label = document.createElement('figcaption');
      const svg = document.createElementNS(SVG, 'svg');
      svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
      svg.setAttribute('preserveAspectRatio', 'none');
      svg.dataset.series = name;
      figure.append(label, svg);
      this.root.append(figure);
      line = { xs: [], ys: [], svg, label, dirty: true };
      this.lines.set(name, line);
    }
    line.xs.push(x);
    line.ys.push(y);
    line.dirty = true;
    if (!this.scheduled) {
      // One redraw for the several series a probe emits at once.
      this.scheduled = true;
      setTimeout(() => this.draw(), 0);
    }
  }

  /** Redraws the series that changed. */
  private draw(): void {
    this.scheduled = false;
    for (const [name, line] of this.lines) {
      if (!line.dirty) continue;
      line.dirty = false;
      const last = line.ys.at(-1)!;
      line.label.textContent = `${name}: ${fmt(last)} (at ${fmt(line.xs.at(-1)!)})`;
      drawLine(line.svg, line.xs, line.ys);
    }
    this.updates++;
    this.root.dataset.updates = String(this.updates);
  }
}

const SVG = 'http://www.w3.org/2000/svg';
const W = 300;
const H = 120;
const PAD = 4;

/** Redraws `svg` as a polyline of (xs, ys) scaled to a W×H box, with the y range written at the left. */
function drawLine(svg: SVGSVGElement, xs: number[], ys: number[]): void {
  svg.replaceChildren();
  const finite = ys.filter(Number.isFinite);
  if (finite.length === 0) return;
  let lo = Math.min(...finite);
  let hi = Math.max(...finite);
  if (hi === lo) { lo -= 0.5; hi += 0.5; }
  const x0 = xs[0]!;
  const span = xs.length > 1 ? xs.at(-1)! - x0 || 1 : 1;
  const px = (x: number) => (PAD + ((x - x0) / span) * (W - 2 * PAD)).toFixed(1);
  const py = (y: number) => (H - PAD - ((y - lo) / (hi - lo)) * (H - 2 * PAD)).toFixed(1);
  // NaN samples break the line into pieces.
  let piece: string[] = [];
  const pieces: string[][] = [piece];
  xs.forEach((x, i) => {
    const y = ys[i]!;
    if (Number.isFinite(y)) piece.push(`${px(x)},${py(y)}`);
    else if (piece.length > 0) pieces.push(piece = []);
  });
  for (const pts of pieces) {
    if (pts.length === 0) continue;
    const line = document.createElementNS(SVG, pts.length > 1 ? 'polyline' : 'circle');
    if (pts.length > 1) line.setAttribute('points', pts.join(' '));
    else {
      const [cx, cy] = pts[0]!.split(',');
      line.setAttribute('cx', cx!);
      line.setAttribute('cy', cy!);
      line.setAttribute('r', '2.5');
    }
    line.setAttribute('class', 'line');
    svg.append(line);
  }
  for (const [v, y] of [[hi, PAD + 9], [lo, H - PAD]] as const) {
    const t = document.createElementNS(SVG, 'text');
    t.setAttribute('x', String(PAD));
    t.setAttribute('y', String(y));
    t.textContent = fmt(v);
    svg.append(t);
  }
}
