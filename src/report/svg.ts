/**
 * A small SVG plotting module for the HTML report: line plots (several series, legend, log-y), scatter plots
 * with a reference line, grouped bar charts and heatmaps with a colour scale. Every plot is a string of
 * inline SVG with labelled axes and ticks; all text is HTML-escaped; NaN, null and (on log axes)
 * non-positive values are skipped.
 */
import { esc, fmt } from './format.js';
import { thinnedPiece } from './thin.js';

/** A numeric axis: its label (with the unit) and an optional log scale and fixed limits. */
export interface AxisSpec {
  label: string;
  log?: boolean;
  min?: number;
  max?: number;
}

/** One series of a line or scatter plot; x and y have the same length; null/NaN points are skipped. */
export interface Series {
  name: string;
  x: ArrayLike<number | null>;
  y: ArrayLike<number | null>;
  /** 'line' (default: with dots when there are few points), 'points', or 'dashed' (a theory line). */
  style?: 'line' | 'points' | 'dashed';
  /** Palette index (default: the series' position), so that a theory line can share its measurement's colour. */
  color?: number;
}

/** A vertical or horizontal marker line with a label (phase boundaries, theory values). */
export interface Marker {
  at: number;
  label: string;
}

/** A shaded x-interval with a label (a training phase). */
export interface Band {
  from: number;
  to: number;
  label: string;
}

/** What a line or scatter plot shows. */
export interface ChartSpec {
  title: string;
  x: AxisSpec;
  y: AxisSpec;
  series: Series[];
  vlines?: Marker[];
  hlines?: Marker[];
  bands?: Band[];
  /** y = slope·x + intercept across the plot (e.g. y = x), dashed, with its label in the legend. */
  reference?: { slope: number; intercept: number; label: string };
}

/** Size of every plot's frame (px); the plotting area is the frame less the margins. */
export const FRAME = { width: 520, height: 300, margin: { top: 30, right: 20, bottom: 46, left: 70 } } as const;

/** Series colours (Tableau 10: distinguishable, print-safe). */
export const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'] as const;

/** A map from data values to pixels with its tick positions. */
export interface Scale {
  domain: [number, number];
  log: boolean;
  ticks: number[];
  /** Pixel position of v (v must be > 0 on a log scale). */
  map(v: number): number;
}

/** Ticks at multiples of 1, 2 or 5 × 10^k inside [lo, hi], about `count` of them. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  // Halves first: hi − lo overflows for values near ±1.8e308.
  const raw = (hi / 2 - lo / 2) / (count / 2);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  // An integer index, not t += step: a span of a few ulps (a loss settled to 1-ulp noise) gives a step below one
  // ulp of lo, which would leave t unchanged forever.
  // (A counter of its own: first can exceed 2^53, where first + 1 is first again.)
  const first = Math.ceil(lo / step - 1e-9);
  for (let j = 0; j < MAX_TICKS; j++) {
    const t = (first + j) * step;
    if (t > hi + step * 1e-9) break;
    const tick = Math.abs(t) < step * 1e-9 ? 0 : Number(t.toPrecision(12));
    if (ticks.at(-1) !== tick) ticks.push(tick);
  }
  return ticks.length > 0 ? ticks : [lo];
}

/** Most ticks niceTicks gives (about `count` are asked for). */
const MAX_TICKS = 50;

/** Ticks of a log axis over [lo, hi] (lo > 0): the powers of ten inside, thinned to at most 7; 1-2-5 × 10^k when fewer than two fit, linear steps when the span is narrower still. */
export function logTicks(lo: number, hi: number): number[] {
  const a = Math.ceil(Math.log10(lo) - 1e-9);
  const b = Math.floor(Math.log10(hi) + 1e-9);
  const powers: number[] = [];
  const every = Math.max(1, Math.ceil((b - a + 1) / 7));
  for (let e = a; e <= b; e += every) powers.push(Number((10 ** e).toPrecision(12)));
  if (powers.length >= 2) return powers;
  const out: number[] = [];
  for (let e = a - 1; e <= b; e++) for (const m of [1, 2, 5]) { const t = Number((m * 10 ** e).toPrecision(12)); if (t >= lo * (1 - 1e-9) && t <= hi * (1 + 1e-9)) out.push(t); }
  return out.length >= 2 ? out : niceTicks(lo, hi, 4).filter((t) => t > 0);
}

/** A scale over the finite values (positive ones on a log axis), or the axis's fixed limits, onto [from, to] px. */
export function makeScale(values: Iterable<number | null>, axis: AxisSpec, from: number, to: number): Scale {
  const log = axis.log === true;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v === null || !Number.isFinite(v) || (log && v <= 0)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (axis.min !== undefined) lo = axis.min;
  if (axis.max !== undefined) hi = axis.max;
  if (!(lo <= hi)) [lo, hi] = log ? [1, 10] : [0, 1];
  if (lo === hi) [lo, hi] = log ? [lo / 10, hi * 10] : [lo - (Math.abs(lo) || 1) / 2, hi + (Math.abs(hi) || 1) / 2];
  const f = log ? Math.log10 : (v: number) => v;
  // Positions from halves, so that values near ±1.8e308 do not overflow the span.
  const f0 = f(lo) / 2;
  const span = f(hi) / 2 - f0;
  return { domain: [lo, hi], log, ticks: log ? logTicks(lo, hi) : niceTicks(lo, hi), map: (v) => from + ((f(v) / 2 - f0) / span) * (to - from) };
}

/** A pixel coordinate with one decimal. */
function px(v: number): string {
  return v.toFixed(1);
}

/** A tick label: powers of ten on log axes as 10^k, otherwise fmt. */
function tickLabel(v: number, log: boolean): string {
  const e = Math.log10(v);
  if (log && Math.abs(e - Math.round(e)) < 1e-9 && (e < -2 || e > 3)) return `1e${Math.round(e)}`;
  return fmt(v);
}

/** Is v a plottable value on this scale? */
function ok(v: number | null | undefined, s: Scale): v is number {
  return v !== null && v !== undefined && Number.isFinite(v) && (!s.log || v > 0);
}

/**
 * Which of a long line's points to draw: in each pixel column of each unbroken run, the first, lowest, highest
 * and last, so the line looks the same (a 1e6-point series made an 11.5 MB report). null (draw all) below
 * two points per column.
 */
function thinnedLine(x: ArrayLike<number | null>, y: ArrayLike<number | null>, n: number, sx: Scale, sy: Scale, columns: number): Uint8Array | null {
  if (n <= 2 * columns) return null;
  const keep = new Uint8Array(n);
  const column = (i: number): number => Math.floor(sx.map(x[i] as number));
  const value = (i: number): number => y[i] as number;
  let piece: number[] = [];
  const flush = (): void => {
    for (const i of thinnedPiece(piece, column, value, true)) keep[i] = 1;
    piece = [];
  };
  for (let i = 0; i < n; i++) {
    if (ok(x[i], sx) && ok(y[i], sy)) piece.push(i);
    else flush();
  }
  flush();
  return keep;
}

/** The outer <svg> with its title; `body` draws inside. */
function svgFrame(title: string, width: number, height: number, body: string): string {
  return `<svg class="plot" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(title)}">`
    + `<title>${esc(title)}</title><text class="title" x="${width / 2}" y="18" text-anchor="middle">${esc(title)}</text>${body}</svg>`;
}

/** Axes, grid, ticks and axis labels of a plotting area. */
function axes(sx: Scale, sy: Scale, xLabel: string, yLabel: string, height: number, xTickText?: (v: number) => string): string {
  const { left, top } = FRAME.margin;
  const right = FRAME.width - FRAME.margin.right;
  const bottom = height - FRAME.margin.bottom;
  let out = `<g class="axes">`;
  for (const t of sx.ticks) {
    const x = px(sx.map(t));
    out += `<line class="grid" x1="${x}" x2="${x}" y1="${top}" y2="${bottom}"/><text x="${x}" y="${bottom + 15}" text-anchor="middle">${esc(xTickText ? xTickText(t) : tickLabel(t, sx.log))}</text>`;
  }
  for (const t of sy.ticks) {
    const y = px(sy.map(t));
    out += `<line class="grid" x1="${left}" x2="${right}" y1="${y}" y2="${y}"/><text x="${left - 5}" y="${y}" dy="0.32em" text-anchor="end">${esc(tickLabel(t, sy.log))}</text>`;
  }
  out += `<rect class="frame" x="${left}" y="${top}" width="${right - left}" height="${bottom - top}"/>`;
  out += `<text class="label" x="${(left + right) / 2}" y="${bottom + 34}" text-anchor="middle">${esc(xLabel)}</text>`;
  out += `<text class="label" transform="translate(16 ${(top + bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`;
  return `${out}</g>`;
}

/** A legend below the plot: one row per ~4 entries; returns the SVG and the height it takes. */
function legend(entries: { name: string; color: string; dashed?: boolean; box?: boolean; dot?: boolean }[], y0: number): { svg: string; height: number } {
  if (entries.length === 0) return { svg: '', height: 0 };
  let x = FRAME.margin.left;
  let y = y0;
  let out = '<g class="legend">';
  for (const e of entries) {
    const w = 30 + Math.min(e.name.length, 40) * 6.2;
    if (x + w > FRAME.width && x > FRAME.margin.left) {
      x = FRAME.margin.left;
      y += 16;
    }
    out += e.box
      ? `<rect x="${x}" y="${y - 5}" width="14" height="10" fill="${e.color}"/>`
      : e.dot ? `<circle cx="${x + 9}" cy="${y}" r="3" fill="${e.color}"/>` : `<line x1="${x}" x2="${x + 18}" y1="${y}" y2="${y}" stroke="${e.color}" stroke-width="2"${e.dashed ? ' stroke-dasharray="5 3"' : ''}/>`;
    out += `<text x="${x + 22}" y="${y}" dy="0.32em">${esc(e.name.length > 40 ? `${e.name.slice(0, 39)}…` : e.name)}</text>`;
    x += w;
  }
  return { svg: `${out}</g>`, height: y - y0 + 16 };
}

/** The part of y = slope·x + intercept inside the scales' domains (linear axes), as a line element, or ''. */
function referenceSegment(ref: NonNullable<ChartSpec['reference']>, sx: Scale, sy: Scale): string {
  let [x0, x1] = sx.domain;
  const [y0, y1] = sy.domain;
  const { slope: s, intercept: b } = ref;
  if (s === 0) {
    if (b < y0 || b > y1) return '';
  } else {
    const a = (y0 - b) / s;
    const c = (y1 - b) / s;
    x0 = Math.max(x0, Math.min(a, c));
    x1 = Math.min(x1, Math.max(a, c));
    if (!(x0 < x1)) return '';
  }
  return `<line class="ref" x1="${px(sx.map(x0))}" y1="${px(sy.map(s * x0 + b))}" x2="${px(sx.map(x1))}" y2="${px(sy.map(s * x1 + b))}"/>`;
}

/** A line plot (or scatter plot: series with style 'points') with legend, markers, bands and a reference line. */
export function linePlot(spec: ChartSpec): string {
  const { left, top } = FRAME.margin;
  const right = FRAME.width - FRAME.margin.right;
  const xs: (number | null)[] = [];
  const ys: (number | null)[] = [];
  for (const s of spec.series) {
    for (let i = 0; i < Math.min(s.x.length, s.y.length); i++) {
      const y = s.y[i]!;
      if (y === null || !Number.isFinite(y) || (spec.y.log && y <= 0)) continue;
      xs.push(s.x[i]!);
      ys.push(y);
    }
  }
  for (const m of spec.vlines ?? []) xs.push(m.at);
  for (const m of spec.hlines ?? []) ys.push(m.at);
  const plotHeight = FRAME.height - top - FRAME.margin.bottom;
  const sx = makeScale(xs, spec.x, left, right);
  const sy = makeScale(ys, spec.y, top + plotHeight, top);
  const bottom = top + plotHeight;
  let body = '';
  for (const [i, b] of (spec.bands ?? []).entries()) {
    const a = Math.max(left, Math.min(sx.map(b.from), sx.map(b.to)));
    const c = Math.min(right, Math.max(sx.map(b.from), sx.map(b.to)));
    if (c > a) body += `<rect class="band${i % 2 ? ' alt' : ''}" x="${px(a)}" y="${top}" width="${px(c - a)}" height="${plotHeight}"/><text class="note" x="${px((a + c) / 2)}" y="${top + 12}" text-anchor="middle">${esc(b.label)}</text>`;
  }
  body += axes(sx, sy, spec.x.label, spec.y.label, FRAME.height);
  const entries: { name: string; color: string; dashed?: boolean; dot?: boolean }[] = [];
  spec.series.forEach((s, k) => {
    const color = PALETTE[(s.color ?? k) % PALETTE.length]!;
    let path = '';
    let dots = '';
    let pen = false;
    const n = Math.min(s.x.length, s.y.length);
    const style = s.style ?? 'line';
    const keep = style === 'points' ? null : thinnedLine(s.x, s.y, n, sx, sy, right - left);
    for (let i = 0; i < n; i++) {
      const x = s.x[i];
      const y = s.y[i];
      if (!ok(x, sx) || !ok(y, sy)) {
        pen = false;
        continue;
      }
      if (keep && !keep[i]) continue;
      const X = px(sx.map(x));
      const Y = px(sy.map(y));
      path += `${pen ? 'L' : 'M'}${X} ${Y}`;
      pen = true;
      if (style === 'points' || (style === 'line' && n <= 40)) dots += `<circle cx="${X}" cy="${Y}" r="${style === 'points' ? 3 : 2}" fill="${color}"/>`;
    }
    if (style !== 'points' && path) body += `<path d="${path}" fill="none" stroke="${color}" stroke-width="1.8"${style === 'dashed' ? ' stroke-dasharray="6 4"' : ''}/>`;
    body += dots;
    entries.push({ name: s.name, color, dashed: style === 'dashed', dot: style === 'points' });
  });
  if (spec.reference && !sx.log && !sy.log) {
    body += referenceSegment(spec.reference, sx, sy);
    entries.push({ name: spec.reference.label, color: '#333', dashed: true });
  }
  // Labels of successive vertical markers step down, so that close markers stay readable.
  for (const [i, m] of (spec.vlines ?? []).entries()) {
    const x = px(sx.map(m.at));
    body += `<line class="marker" x1="${x}" x2="${x}" y1="${top}" y2="${bottom}"/><text class="note" x="${x}" y="${top + 26 + 12 * i}" dx="3">${esc(m.label)}</text>`;
  }
  for (const m of spec.hlines ?? []) {
    if (!ok(m.at, sy)) continue;
    const y = px(sy.map(m.at));
    body += `<line class="marker" x1="${left}" x2="${right}" y1="${y}" y2="${y}"/><text class="note" x="${right - 4}" y="${y}" dy="-4" text-anchor="end">${esc(m.label)}</text>`;
  }
  const showLegend = entries.length > 1 || spec.reference !== undefined;
  const leg = showLegend ? legend(entries, FRAME.height + 2) : { svg: '', height: 0 };
  return svgFrame(spec.title, FRAME.width, FRAME.height + leg.height + (showLegend ? 6 : 0), body + leg.svg);
}

/** A scatter plot: every series drawn as points, with an optional reference line (e.g. y = x). */
export function scatterPlot(spec: ChartSpec): string {
  return linePlot({ ...spec, series: spec.series.map((s) => ({ ...s, style: 'points' as const })) });
}

/** What a grouped bar chart (or histogram) shows: one bar per category and group. */
export interface BarSpec {
  title: string;
  x: { label: string };
  y: AxisSpec;
  categories: string[];
  groups: { name: string; values: ArrayLike<number | null> }[];
}

/** A grouped bar chart (a histogram when the categories are bins); bars start at 0 (at the axis minimum on a log axis). */
export function barChart(spec: BarSpec): string {
  const { left, top } = FRAME.margin;
  const right = FRAME.width - FRAME.margin.right;
  const plotHeight = FRAME.height - top - FRAME.margin.bottom;
  const bottom = top + plotHeight;
  const values: (number | null)[] = spec.y.log ? [] : [0];
  for (const g of spec.groups) for (let i = 0; i < g.values.length; i++) values.push(g.values[i]!);
  if (spec.y.log) {
    // Bars on a log axis start one decade below the smallest value (rounded to a power of 10), else the
    // smallest bar would have no height and look like an empty bin.
    const positive = values.filter((v): v is number => v !== null && v > 0);
    if (positive.length) values.push(10 ** (Math.ceil(Math.log10(Math.min(...positive))) - 1));
  }
  const fit = makeScale(values, spec.y, bottom, top);
  // Bars end below the frame: the top is rounded up to the next tick step.
  const step = fit.ticks.length >= 2 ? fit.ticks[1]! - fit.ticks[0]! : 0;
  const sy = spec.y.log || spec.y.max !== undefined || step <= 0 ? fit
    : makeScale(values, { ...spec.y, max: Math.ceil(fit.domain[1] / step - 1e-9) * step }, bottom, top);
  const nc = Math.max(1, spec.categories.length);
  const slot = (right - left) / nc;
  const every = Math.ceil(nc / 16);
  const sx: Scale = { domain: [0, nc], log: false, ticks: spec.categories.map((_, i) => i).filter((i) => i % every === 0), map: (i) => left + (i + 0.5) * slot };
  let body = axes(sx, sy, spec.x.label, spec.y.label, FRAME.height, (i) => spec.categories[i] ?? '');
  const base = sy.log ? sy.domain[0] : Math.min(Math.max(0, sy.domain[0]), sy.domain[1]);
  const barW = (slot * 0.8) / Math.max(1, spec.groups.length);
  spec.groups.forEach((g, k) => {
    const color = PALETTE[k % PALETTE.length]!;
    for (let i = 0; i < Math.min(nc, g.values.length); i++) {
      const v = g.values[i];
      if (!ok(v, sy)) continue;
      const y0 = sy.map(base);
      const y1 = sy.map(Math.max(sy.domain[0], Math.min(sy.domain[1], v)));
      body += `<rect x="${px(left + i * slot + slot * 0.1 + k * barW)}" y="${px(Math.min(y0, y1))}" width="${px(barW)}" height="${px(Math.abs(y1 - y0))}" fill="${color}"><title>${esc(`${g.name}, ${spec.categories[i] ?? i}: ${fmt(v)}`)}</title></rect>`;
    }
  });
  const leg = spec.groups.length > 1 ? legend(spec.groups.map((g, k) => ({ name: g.name, color: PALETTE[k % PALETTE.length]!, box: true })), FRAME.height + 2) : { svg: '', height: 0 };
  return svgFrame(spec.title, FRAME.width, FRAME.height + leg.height + (leg.height ? 6 : 0), body + leg.svg);
}

/** Viridis at five stops (perceptually uniform, readable in grey). */
const VIRIDIS = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]] as const;

/** The colour of t ∈ [0, 1] on the viridis scale, as #rrggbb. */
export function colorAt(t: number): string {
  const u = Math.max(0, Math.min(1, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(u));
  const f = u - i;
  return `#${[0, 1, 2].map((c) => Math.round(VIRIDIS[i]![c]! + f * (VIRIDIS[i + 1]![c]! - VIRIDIS[i]![c]!)).toString(16).padStart(2, '0')).join('')}`;
}

/** What a heatmap shows: values[row][column], labelled rows and columns, and the colour scale. */
export interface HeatmapSpec {
  title: string;
  x: { label: string };
  y: { label: string };
  columns: string[];
  rows: string[];
  values: ArrayLike<number | null>[];
  color: { label: string; min?: number; max?: number };
}

/** A heatmap with a colour bar; null/NaN cells are grey; at most ~20 row and column labels are written. */
export function heatmap(spec: HeatmapSpec): string {
  const { top } = FRAME.margin;
  // Room for the longest row label between the axis label and the cells.
  const left = Math.min(200, Math.max(FRAME.margin.left, 34 + 6.2 * Math.max(0, ...spec.rows.map((r) => r.length))));
  const nr = Math.max(1, spec.rows.length);
  const nc = Math.max(1, spec.columns.length);
  const height = Math.max(FRAME.height, Math.min(640, top + FRAME.margin.bottom + nr * 3));
  const right = FRAME.width - FRAME.margin.right - 60; // room for the colour bar
  const bottom = height - FRAME.margin.bottom;
  const all: (number | null)[] = [];
  for (const row of spec.values) for (let j = 0; j < row.length; j++) all.push(row[j]!);
  const sc = makeScale(all, { label: spec.color.label, min: spec.color.min, max: spec.color.max }, 0, 1);
  const cw = (right - left) / nc;
  const ch = (bottom - top) / nr;
  let body = '';
  for (let i = 0; i < spec.values.length; i++) {
    const row = spec.values[i]!;
    for (let j = 0; j < Math.min(nc, row.length); j++) {
      const v = row[j];
      const fill = ok(v, sc) ? colorAt(sc.map(v)) : '#ddd';
      body += `<rect x="${px(left + j * cw)}" y="${px(top + i * ch)}" width="${px(cw + 0.3)}" height="${px(ch + 0.3)}" fill="${fill}"/>`;
    }
  }
  const rowEvery = Math.ceil(nr / 20);
  const colEvery = Math.ceil(nc / 20);
  body += '<g class="axes">';
  spec.rows.forEach((r, i) => { if (i % rowEvery === 0) body += `<text x="${left - 5}" y="${px(top + (i + 0.5) * ch)}" dy="0.32em" text-anchor="end">${esc(r)}</text>`; });
  spec.columns.forEach((c, j) => { if (j % colEvery === 0) body += `<text x="${px(left + (j + 0.5) * cw)}" y="${bottom + 15}" text-anchor="middle">${esc(c)}</text>`; });
  body += `<rect class="frame" x="${left}" y="${top}" width="${px(right - left)}" height="${px(bottom - top)}"/>`;
  body += `<text class="label" x="${(left + right) / 2}" y="${bottom + 34}" text-anchor="middle">${esc(spec.x.label)}</text>`;
  body += `<text class="label" transform="translate(16 ${(top + bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(spec.y.label)}</text>`;
  // Colour bar: 32 steps, ticks from the value scale.
  const bx = right + 14;
  const steps = 32;
  for (let k = 0; k < steps; k++) {
    body += `<rect x="${bx}" y="${px(bottom - ((k + 1) * (bottom - top)) / steps)}" width="12" height="${px((bottom - top) / steps + 0.3)}" fill="${colorAt((k + 0.5) / steps)}"/>`;
  }
  for (const t of sc.ticks) {
    const y = bottom - sc.map(t) * (bottom - top);
    body += `<text x="${bx + 16}" y="${px(y)}" dy="0.32em">${esc(fmt(t))}</text>`;
  }
  body += `<text class="label" transform="translate(${FRAME.width - 4} ${(top + bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(spec.color.label)}</text></g>`;
  return svgFrame(spec.title, FRAME.width, height, body);
}
