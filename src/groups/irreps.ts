/**
 * Real irreducible representations of Z_n, D_n and S_n (n ≤ 5), as orthogonal matrices per element
 * (spec margin-algebra.md, "Groups": "Needs the real irreps of S_n (n ≤ 5) and of dihedral groups").
 *
 * Labels: Z_n — "trivial", "sign" (n even: k ↦ (−1)^k), "freq1".."freqK" (rotation by 2πζk/n, ζ = 1..⌈n/2⌉−1).
 * D_n — "trivial", "s-" (s ↦ −1), and for even n "r-" (r ↦ −1) and "r-s-" (both ↦ −1); then "rho1"..
 * (r ↦ rotation by 2πζ/n, s ↦ diag(1, −1), ζ = 1..⌊(n−1)/2⌋). S_n — the partition, e.g. "[2,1]", via
 * Young's orthogonal form with axial distance c(i+1) − c(i), so "[n]" is trivial and "[1,…,1]" the sign.
 * Order: trivial first, then by dimension (stable, so the order above within a dimension).
 */
import { ArgumentError } from '../errors.js';
import type { FiniteGroup } from './group.js';
import { permutationIndex } from './symmetric.js';

/** One real irreducible representation: an orthogonal dim×dim matrix per group element. */
export interface Irrep {
  label: string;
  dim: number;
  trivial: boolean;
  /** true when the real irrep is not absolutely irreducible (Z_n's 2-d rotation reps) */
  complexType: boolean;
  /** matrices[g]: dim×dim row-major Float64Array, orthogonal */
  matrices: Float64Array[];
}

/** The real irreps of a group made by `cyclic`, `dihedral` or `symmetric`, trivial first, then by dimension. */
export function realIrreps(g: FiniteGroup): Irrep[] {
  if (g === null || typeof g !== 'object' || g.kind === null || typeof g.kind !== 'object') {
    throw new ArgumentError(`realIrreps: g must be a group made by cyclic(), dihedral() or symmetric(), got ${String(g)}`);
  }
  const kind = g.kind;
  let irreps: Irrep[];
  switch (kind.type) {
    case 'cyclic': irreps = cyclicIrreps(kind.n); break;
    case 'dihedral': irreps = dihedralIrreps(kind.n); break;
    case 'symmetric': irreps = symmetricIrreps(g, kind.n); break;
    case 'custom':
      throw new ArgumentError(`realIrreps(${g.name}): irreps are known only for groups made by cyclic(), dihedral() or symmetric()`);
    default: throw new ArgumentError(`realIrreps: unknown group kind ${(kind satisfies never as { type: string }).type}`);
  }
  return irreps.sort((a, b) => Number(b.trivial) - Number(a.trivial) || a.dim - b.dim);
}

/** A 1-d irrep from its character values. */
function oneDim(label: string, values: number[]): Irrep {
  return { label, dim: 1, trivial: values.every((v) => v === 1), complexType: false, matrices: values.map((v) => Float64Array.of(v)) };
}

/** [[cos, −sin], [sin, cos]] of 2π·steps/n, with steps reduced mod n first to keep the angle accurate. */
function rotation(steps: number, n: number): Float64Array {
  const t = (2 * Math.PI * (((steps % n) + n) % n)) / n;
  const c = Math.cos(t);
  const s = Math.sin(t);
  return Float64Array.of(c, -s, s, c);
}

function cyclicIrreps(n: number): Irrep[] {
  const ks = Array.from({ length: n }, (_, k) => k);
  const out = [oneDim('trivial', ks.map(() => 1))];
  if (n % 2 === 0) out.push(oneDim('sign', ks.map((k) => (k % 2 ? -1 : 1))));
  for (let zeta = 1; zeta < Math.ceil(n / 2); zeta++) {
    out.push({ label: `freq${zeta}`, dim: 2, trivial: false, complexType: true, matrices: ks.map((k) => rotation(zeta * k, n)) });
  }
  return out;
}

/** Element index flip·n + k is s^flip·r^k (see dihedral.ts), so ρ = ρ(s)^flip · ρ(r)^k. */
function dihedralIrreps(n: number): Irrep[] {
  const elements = Array.from({ length: 2 * n }, (_, i) => ({ flip: i >= n ? 1 : 0, rot: i % n }));
  const character = (rSign: number, sSign: number) => elements.map((e) => (e.flip ? sSign : 1) * (e.rot % 2 ? rSign : 1));
  const out = [oneDim('trivial', character(1, 1)), oneDim('s-', character(1, -1))];
  if (n % 2 === 0) out.push(oneDim('r-', character(-1, 1)), oneDim('r-s-', character(-1, -1)));
  for (let zeta = 1; zeta <= Math.floor((n - 1) / 2); zeta++) {
    const matrices = elements.map(({ flip, rot }) => {
      const m = rotation(zeta * rot, n);
      if (flip) { m[2] = -m[2]; m[3] = -m[3]; } // diag(1, −1) · R negates the second row
      return m;
    });
    out.push({ label: `rho${zeta}`, dim: 2, trivial: false, complexType: false, matrices });
  }
  return out;
}

/** Partitions of n in reverse lexicographic order: [n], [n−1,1], …, [1,…,1]. */
function partitions(n: number, largest = n): number[][] {
  if (n === 0) return [[]];
  const out: number[][] = [];
  for (let first = Math.min(n, largest); first >= 1; first--) {
    for (const rest of partitions(n - first, first)) out.push([first, ...rest]);
  }
  return out;
}

/** Standard Young tableaux of a shape, each as the (row, col) of entries 0..n−1. */
function standardTableaux(shape: number[]): [number, number][][] {
  const n = shape.reduce((s, x) => s + x, 0);
  const out: [number, number][][] = [];
  const rowLengths = shape.map(() => 0);
  const place = (entry: number, cells: [number, number][]) => {
    if (entry === n) { out.push(cells.slice()); return; }
    for (let r = 0; r < shape.length; r++) {
      // Entry goes at the end of row r if the row has room and the box above it is already filled.
      if (rowLengths[r] < shape[r] && (r === 0 || rowLengths[r - 1] > rowLengths[r])) {
        cells.push([r, rowLengths[r]]);
        rowLengths[r]++;
        place(entry + 1, cells);
        rowLengths[r]--;
        cells.pop();
      }
    }
  };
  place(0, []);
  return out;
}

/**
 * Young's orthogonal form of the adjacent transposition swapping entries i and i+1: on tableau T with axial
 * distance d = content(i+1) − content(i), e_T ↦ (1/d) e_T + sqrt(1 − 1/d²) e_{T'} where T' swaps i and i+1.
 */
function youngTransposition(tableaux: [number, number][][], i: number): Float64Array {
  const dim = tableaux.length;
  const keyOf = (t: [number, number][]) => t.map(([r, c]) => `${r},${c}`).join(';');
  const index = new Map(tableaux.map((t, k) => [keyOf(t), k]));
  const m = new Float64Array(dim * dim);
  tableaux.forEach((t, k) => {
    const [r0, c0] = t[i];
    const [r1, c1] = t[i + 1];
    if (r0 === r1) { m[k * dim + k] = 1; return; }
    if (c0 === c1) { m[k * dim + k] = -1; return; }
    const d = c1 - r1 - (c0 - r0);
    const swapped = t.slice();
    swapped[i] = t[i + 1];
    swapped[i + 1] = t[i];
    const k2 = index.get(keyOf(swapped));
    if (k2 === undefined) throw new Error('Young tableau swap left the standard tableaux (bug)');
    m[k * dim + k] = 1 / d;
    m[k2 * dim + k] = Math.sqrt(1 - 1 / (d * d));
  });
  return m;
}

function multiplySquare(a: Float64Array, b: Float64Array, dim: number): Float64Array {
  const c = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) {
    for (let k = 0; k < dim; k++) {
      const aik = a[i * dim + k];
      if (aik === 0) continue;
      for (let j = 0; j < dim; j++) c[i * dim + j] += aik * b[k * dim + j];
    }
  }
  return c;
}

/** One irrep per partition; matrices of all elements by breadth-first products ρ(t∘g) = ρ(t)ρ(g) of generators t. */
function symmetricIrreps(g: FiniteGroup, n: number): Irrep[] {
  const transpositions = Array.from({ length: n - 1 }, (_, i) => {
    const p = Array.from({ length: n }, (_, j) => j);
    p[i] = i + 1;
    p[i + 1] = i;
    return permutationIndex(p);
  });
  return partitions(n).map((shape) => {
    const tableaux = standardTableaux(shape);
    const dim = tableaux.length;
    const generators = transpositions.map((_, i) => youngTransposition(tableaux, i));
    const matrices = new Array<Float64Array>(g.order);
    const id = new Float64Array(dim * dim);
    for (let k = 0; k < dim; k++) id[k * dim + k] = 1;
    matrices[g.identity] = id;
    const queue = [g.identity];
    for (let head = 0; head < queue.length; head++) {
      const x = queue[head];
      transpositions.forEach((t, i) => {
        const y = g.table[t * g.order + x];
        if (matrices[y]) return;
        matrices[y] = multiplySquare(generators[i], matrices[x], dim);
        queue.push(y);
      });
    }
    return { label: `[${shape.join(',')}]`, dim, trivial: shape.length === 1, complexType: false, matrices };
  });
}
