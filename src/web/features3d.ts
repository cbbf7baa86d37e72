/**
 * The modular-addition network's neurons as points in 3D: neuron i sits at r·(cos θ, sin θ) in the plane,
 * where ζ is the dominant frequency of its embedding u_i, θ the phase of u_i at ζ and r its normalized power
 * there (1 = pure Fourier mode), lifted to a height set by ζ; its colour is ζ's hue. Read from modadd's
 * `details.neurons` (zetaU, phaseU, maxPower). Pure: numbers in, numbers out.
 */

/** Points ready for drawing: xyz and rgb per point, interleaved (6 floats each), and the rows they came from. */
export interface PointCloud {
  /** x, y, z, r, g, b per point. */
  data: Float32Array<ArrayBuffer>;
  count: number;
  /** The largest frequency index (the z range is [−1, 1] over ζ = 1..maxZeta). */
  maxZeta: number;
  /** Rows in details.neurons, and how many are active. */
  neurons: number;
  active: number;
  /** Active rows left out because their zetaU is not a whole number from 0 to ⌊p/2⌋ or their phase not a number (a damaged or hand-edited file). */
  rejected: number;
}

/** One row of modadd's details.neurons, as much as the view needs. */
interface NeuronRow {
  active?: boolean;
  zetaU?: number;
  phaseU?: number | null;
  maxPower?: { u?: number };
}

/** Most circle levels guideLines draws (every k-th frequency beyond): a finer grid is below a pixel apart. */
const MAX_GUIDE_LEVELS = 256;

/** RGB in [0, 1] of hue h ∈ [0, 1) at full saturation and value 0.9. */
export function hueColor(h: number): [number, number, number] {
  const k = (n: number) => (n + h * 6) % 6;
  const f = (n: number) => 0.9 * (1 - Math.max(0, Math.min(k(n), 4 - k(n), 1)));
  return [f(5), f(3), f(1)];
}

/**
 * The active neurons with a dominant frequency ζ ≥ 1 as a point cloud (count 0 when none), for a run of modulus
 * `p`: ζ must be a whole number up to ⌊p/2⌋, and a row outside that is counted in `rejected`, never drawn
 * (without `p`, any whole ζ). Null when `details` is not modadd's.
 */
export function modaddPointCloud(details: Record<string, unknown> | undefined, p?: number): PointCloud | null {
  const rows = details?.neurons;
  if (!Array.isArray(rows)) return null;
  const active = (rows as (NeuronRow | null)[]).filter((n): n is NeuronRow => n?.active === true);
  const limit = p === undefined ? Infinity : Math.floor(p / 2);
  const valid = active.filter((n) => Number.isInteger(n.zetaU) && n.zetaU! >= 0 && n.zetaU! <= limit && (n.zetaU === 0 || Number.isFinite(n.phaseU)));
  const usable = valid.filter((n) => n.zetaU! >= 1);
  let maxZeta = 0;
  for (const n of usable) maxZeta = Math.max(maxZeta, n.zetaU!);
  const data = new Float32Array(usable.length * 6);
  usable.forEach((n, i) => {
    const r = n.maxPower?.u ?? 1;
    const [cr, cg, cb] = hueColor((n.zetaU! - 1) / maxZeta);
    data.set([r * Math.cos(n.phaseU!), r * Math.sin(n.phaseU!), zetaHeight(n.zetaU!, maxZeta), cr, cg, cb], i * 6);
  });
  return { data, count: usable.length, maxZeta, neurons: rows.length, active: active.length, rejected: active.length - valid.length };
}

/** The height of frequency ζ: −1 for ζ = 1 up to 1 for ζ = maxZeta (0 when there is one level). */
function zetaHeight(zeta: number, maxZeta: number): number {
  return maxZeta > 1 ? ((zeta - 1) / (maxZeta - 1)) * 2 - 1 : 0;
}

/**
 * Guide lines (line-list, 6 floats per vertex like the points): the unit circle at each frequency's height
 * (every k-th frequency when there are more than MAX_GUIDE_LEVELS, so the size is bounded whatever ζ a file holds), and the z axis.
 */
export function guideLines(maxZeta: number, segments = 48): Float32Array<ArrayBuffer> {
  const stride = Math.max(1, Math.ceil(maxZeta / MAX_GUIDE_LEVELS));
  const levels = maxZeta >= 1 ? Math.floor((maxZeta - 1) / stride) + 1 : 0;
  const out = new Float32Array((levels * segments + 1) * 2 * 6);
  const grey = [0.55, 0.55, 0.55];
  let at = 0;
  const vertex = (x: number, y: number, z: number): void => {
    out.set([x, y, z, ...grey], at);
    at += 6;
  };
  for (let level = 0; level < levels; level++) {
    const z = zetaHeight(1 + level * stride, maxZeta);
    for (let s = 0; s < segments; s++) {
      const a0 = (2 * Math.PI * s) / segments;
      const a1 = (2 * Math.PI * (s + 1)) / segments;
      vertex(Math.cos(a0), Math.sin(a0), z);
      vertex(Math.cos(a1), Math.sin(a1), z);
    }
  }
  vertex(0, 0, -1.2);
  vertex(0, 0, 1.2);
  return out;
}
