/**
 * Live metric plots: one small SVG per series, redrawn when samples arrive (own drawing code, no
 * dependency; SVG, not canvas, so a lost GPU context cannot blank them). The container's `data-updates` counts redraws, so a test can see the plot move.
 * A long series is drawn thinned to the lowest and highest sample of each of 2·W columns, and redraws are at
 * least REDRAW_MS apart, so a run of a million samples costs what the screen can show, not samples².
 */
import { fmt } from '../report/format.js';
import { thinnedPiece } from '../report/thin.js';

/** One series' samples, in arrival order, with the range of its finite values. */
interface Line {
  xs: number[];
  ys: number[];
  lo: number;
  hi: number;
  svg: SVGSVGElement;
  label: HTMLElement;
  dirty: boolean;
}

/** The samples of every series, by name (what LivePlots.snapshot returns and restore takes; plain data for IndexedDB). */
export type PlotData = Record<string, { xs: number[]; ys: number[] }>;

/** Shortest time between two redraws (a probe every few milliseconds would otherwise redraw every series each time). */
const REDRAW_MS = 100;

/** A grid of live plots, one per series name. */
export class LivePlots {
  private lines = new Map<string, Line>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastDraw = -Infinity;
  private updates = 0;

  constructor(private readonly root: HTMLElement) {}

  /** Removes every plot (a new run starts). */
  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
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
      line = { xs: [], ys: [], lo: Infinity, hi: -Infinity, svg, label, dirty: true };
      this.lines.set(name, line);
    }
    line.xs.push(x);
    line.ys.push(y);
    if (Number.isFinite(y)) {
      line.lo = Math.min(line.lo, y);
      line.hi = Math.max(line.hi, y);
    }
    line.dirty = true;
    // One redraw for the several series a probe emits at once, and none sooner than REDRAW_MS after the last.
    this.timer ??= setTimeout(() => this.draw(), Math.max(0, this.lastDraw + REDRAW_MS - performance.now()));
  }

  /** A copy of every series' samples (kept with a checkpoint, so that a resumed run's plots start where it stood). */
  snapshot(): PlotData {
    return Object.fromEntries([...this.lines].map(([name, l]) => [name, { xs: [...l.xs], ys: [...l.ys] }]));
  }

  /** Replaces the plots by `data` (a snapshot), drawn at once. */
  restore(data: PlotData): void {
    this.clear();
    for (const [name, { xs, ys }] of Object.entries(data)) xs.forEach((x, i) => this.add(name, x, ys[i]!));
    this.draw();
  }

  /** Redraws the series that changed. */
  private draw(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.lastDraw = performance.now();
    for (const [name, line] of this.lines) {
      if (!line.dirty) continue;
      line.dirty = false;
      const last = line.ys.at(-1)!;
      line.label.textContent = `${name}: ${fmt(last)} (at ${fmt(line.xs.at(-1)!)})`;
      drawLine(line);
    }
    this.updates++;
    this.root.dataset.updates = String(this.updates);
  }
}

const SVG = 'http://www.w3.org/2000/svg';
const W = 300;
const H = 120;
const PAD = 4;
/** Columns a line is thinned to: two per unit of the W-wide box (the lowest and highest sample of each). */
const COLUMNS = 2 * W;

/** Redraws the line's svg as polylines of its samples scaled to a W×H box, with the y range written at the left. */
function drawLine(line: Line): void {
  const { svg, xs, ys } = line;
  svg.replaceChildren();
  if (line.lo > line.hi) return; // no finite sample yet
  let { lo, hi } = line;
  if (hi === lo) { lo -= 0.5; hi += 0.5; }
  const x0 = xs[0]!;
  const span = xs.length > 1 ? xs.at(-1)! - x0 || 1 : 1;
  const px = (x: number) => (PAD + ((x - x0) / span) * (W - 2 * PAD)).toFixed(1);
  const py = (y: number) => (H - PAD - ((y - lo) / (hi - lo)) * (H - 2 * PAD)).toFixed(1);
  // NaN samples break the line into pieces.
  const pieces: number[][] = [];
  let piece: number[] = [];
  ys.forEach((y, i) => {
    if (Number.isFinite(y)) piece.push(i);
    else if (piece.length > 0) {
      pieces.push(piece);
      piece = [];
    }
  });
  if (piece.length > 0) pieces.push(piece);
  for (const indices of pieces) {
    // A piece that fits is drawn whole; a longer one as the lowest and highest sample of each column.
    const drawn = indices.length <= 2 * COLUMNS ? indices
      : thinnedPiece(indices, (i) => Math.min(COLUMNS - 1, Math.floor(((xs[i]! - x0) / span) * COLUMNS)), (i) => ys[i]!, false);
    const pts = drawn.map((i) => `${px(xs[i]!)},${py(ys[i]!)}`);
    const el = document.createElementNS(SVG, pts.length > 1 ? 'polyline' : 'circle');
    if (pts.length > 1) el.setAttribute('points', pts.join(' '));
    else {
      const [cx, cy] = pts[0]!.split(',');
      el.setAttribute('cx', cx!);
      el.setAttribute('cy', cy!);
      el.setAttribute('r', '2.5');
    }
    el.setAttribute('class', 'line');
    svg.append(el);
  }
  for (const [v, y] of [[hi, PAD + 9], [lo, H - PAD]] as const) {
    const t = document.createElementNS(SVG, 'text');
    t.setAttribute('x', String(PAD));
    t.setAttribute('y', String(y));
    t.textContent = fmt(v);
    svg.append(t);
  }
}
