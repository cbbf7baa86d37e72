/**
 * The modular-addition network's neurons as points in 3D: neuron i sits at r·(cos θ, sin θ) in the plane,
 * where ζ is the dominant frequency of its embedding u_i, θ the phase of u_i at ζ and r its normalized power
 * there (1 = pure Fourier mode), lifted to a height set by ζ; its colour is ζ's hue. Read from modadd's
 * `details.neurons` (zetaU, phaseU, maxPower). Pure: numbers in, numbers out.
 */

/** Points ready for drawing: xyz and rgb per point, interleaved (6 floats each). */
export interface PointCloud {
  /** x, y, z, r, g, b per point. */
  data: Float32Array<ArrayBuffer>;
  count: number;
  /** The largest frequency index (the z range is [−1, 1] over ζ = 1..maxZeta). */
  maxZeta: number;
}

/** One row of modadd's details.neurons, as much as the view needs. */
interface NeuronRow {
  active?: boolean;
  zetaU?: number;
  phaseU?: number | null;
  maxPower?: { u?: number };
}

/** RGB in [0, 1] of hue h ∈ [0, 1) at full saturation and value 0.9. */
export function hueColor(h: number): [number, number, number] {
  const k = (n: number) => (n + h * 6) % 6;
  const f = (n: number) => 0.9 * (1 - Math.max(0, Math.min(k(n), 4 - k(n), 1)));
  return [f(5), f(3), f(1)];
}

/** The active neurons with a dominant frequency ζ ≥ 1 as a point cloud; null when `details` is not modadd's. */
export function modaddPointCloud(details: Record<string, unknown> | undefined): PointCloud | null {
  const rows = details?.neurons;
  if (!Array.isArray(rows)) return null;
  const usable = (rows as NeuronRow[]).filter((n) => n.active && typeof n.zetaU === 'number' && n.zetaU >= 1 && typeof n.phaseU === 'number');
  if (usable.length === 0) return null;
  const maxZeta = Math.max(...usable.map((n) => n.zetaU!));
  const data = new Float32Array(usable.length * 6);
  usable.forEach((n, i) => {
    const r = n.maxPower?.u ?? 1;
    const z = maxZeta > 1 ? ((n.zetaU! - 1) / (maxZeta - 1)) * 2 - 1 : 0;
    const [cr, cg, cb] = hueColor((n.zetaU! - 1) / maxZeta);
    data.set([r * Math.cos(n.phaseU!), r * Math.sin(n.phaseU!), z, cr, cg, cb], i * 6);
  });
  return { data, count: usable.length, maxZeta };
}

/** Guide lines (line-list, 6 floats per vertex like the points): the unit circle at each frequency's height, and the z axis. */
export function guideLines(maxZeta: number, segments = 48): Float32Array<ArrayBuffer> {
  const out: number[] = [];
  const grey = [0.55, 0.55, 0.55];
  for (let zeta = 1; zeta <= maxZeta; zeta++) {
    const z = maxZeta > 1 ? ((zeta - 1) / (maxZeta - 1)) * 2 - 1 : 0;
    for (let s = 0; s < segments; s++) {
      const a0 = (2 * Math.PI * s) / segments;
      const a1 = (2 * Math.PI * (s + 1)) / segments;
      out.push(Math.cos(a0), Math.sin(a0), z, ...grey, Math.cos(a1), Math.sin(a1), z, ...grey);
    }
  }
  out.push(0, 0, -1.2, ...grey, 0, 0, 1.2, ...grey);
  return new Float32Array(out);
}
