/**
 * Irrep energy of a neuron (spec margin-algebra.md, "Feature measurements" → "Groups"): the fraction of
 * (‖u‖² + ‖v‖² + ‖w‖²) lying in the span of each irrep's matrix coefficients g ↦ ρ_ij(g), i.e. the
 * projection onto the isotypic components of R^{|G|}. At the max margin each neuron lives in one
 * non-trivial irrep and every non-trivial irrep is used.
 *
 * The spans of inequivalent irreps are orthogonal (Schur) and together fill R^{|G|}, so a neuron's
 * fractions sum to 1. For Z_n's complex-type 2-d reps the four coefficients span only 2 dimensions
 * (cos and sin of one frequency), so the energy equals the real Fourier power of that frequency.
 */
import { ArgumentError, ShapeError } from '../errors.js';
import { checkFiniteArray, checkInt, checkOptions } from '../validate.js';
import type { FiniteGroup } from '../groups/group.js';
import type { Irrep } from '../groups/irreps.js';

/** An orthonormal basis of one irrep's matrix-coefficient span. */
export interface IrrepBasis {
  label: string;
  /** number of basis vectors (d² for absolutely irreducible irreps, d²/2 for complex type) */
  rank: number;
  /** rank×order row-major; rows are orthonormal */
  vectors: Float64Array;
}

/** Per-neuron result of `irrepSummary`. */
export interface NeuronIrrepEnergy {
  /** fraction of the neuron's energy per irrep (same order as the irreps) */
  energies: Float64Array;
  /** index of the irrep with the largest fraction */
  best: number;
  /** the largest fraction */
  concentration: number;
  /** norm² above activeFraction of the largest neuron's */
  active: boolean;
}

/** Result of `irrepSummary`. */
export interface IrrepSummary {
  neurons: NeuronIrrepEnergy[];
  /** mean concentration over active neurons (NaN when none is active) */
  irrepConcentration: number;
  /** labels of the non-trivial irreps that are the best irrep of at least one active neuron, in irrep order */
  irrepsUsed: string[];
  /** neuronsPerIrrep[k]: active neurons whose best irrep is irreps[k] */
  neuronsPerIrrep: number[];
}

/** Options of `irrepSummary`. */
export interface IrrepSummaryOptions {
  /** a neuron is active when its norm² exceeds this fraction of the largest neuron's (default 1e-3) */
  activeFraction?: number;
  /** bases from `irrepBases`, to skip rebuilding them for every call */
  bases?: IrrepBasis[];
}

/** A coefficient vector whose residual after projection is below this fraction of its norm is dependent. */
const DEPENDENT = 1e-8;

/** Largest |ρ(a∘s) − ρ(a)ρ(s)| entry accepted: far above the rounding of realIrreps' matrices (~1e-15), far below an entry of a wrong one. */
const HOMOMORPHISM_TOL = 1e-9;

/** Orthonormal bases (Gram–Schmidt in f64, dependent vectors dropped) of each irrep's coefficient span. */
export function irrepBases(g: FiniteGroup, irreps: readonly Irrep[]): IrrepBasis[] {
  if (g === null || typeof g !== 'object' || !Number.isInteger(g.order) || g.order < 1 || g.table?.length !== g.order * g.order || !Number.isInteger(g.identity)) {
    throw new ArgumentError(`irrepBases: g must be a group made by cyclic(), dihedral(), symmetric() or groupFromElements(), got ${String(g)}`);
  }
  checkIrreps('irrepBases', irreps, g.order);
  checkHomomorphisms(g, irreps);
  return basesFor(g.order, irreps);
}

/** Throws unless irreps is an array of irreps with one dim×dim matrix per group element (`order` of them). */
function checkIrreps(fn: string, irreps: readonly Irrep[], order: number): void {
  if (!Array.isArray(irreps)) throw new ArgumentError(`${fn}: irreps must be an array of irreps; pass realIrreps(g), got ${String(irreps)}`);
  irreps.forEach((rho, k) => {
    if (rho === null || typeof rho !== 'object' || !Number.isInteger(rho.dim) || rho.dim < 1 || !Array.isArray(rho.matrices)) {
      throw new ArgumentError(`${fn}: irreps[${k}] is not an irrep ({ label, dim, matrices }); pass realIrreps(g)`);
    }
    if (rho.matrices.length !== order) {
      throw new ShapeError(`${fn}: irrep ${rho.label} has ${rho.matrices.length} matrices, but the group has ${order} elements`);
    }
    const wrong = rho.matrices.findIndex((m: Float64Array | undefined) => m?.length !== rho.dim * rho.dim);
    if (wrong >= 0) throw new ShapeError(`${fn}: irrep ${rho.label}'s matrix ${wrong} has ${String(rho.matrices[wrong]?.length)} entries, not dim² = ${rho.dim * rho.dim}`);
  });
}

/**
 * A generating set of g: each element added is the first one outside the subgroup generated so far
 * (at most log2 |G| of them).
 */
function generatingSet(g: FiniteGroup): number[] {
  const { order, table } = g;
  const inSubgroup = new Uint8Array(order);
  inSubgroup[g.identity] = 1;
  const members = [g.identity];
  const gens: number[] = [];
  for (let x = 0; x < order; x++) {
    if (inSubgroup[x]) continue;
    gens.push(x);
    // Close under right multiplication by every generator (in a finite group that is the generated subgroup).
    for (let head = 0; head < members.length; head++) {
      for (const s of gens) {
        const y = table[members[head] * order + s];
        if (!inSubgroup[y]) {
          inSubgroup[y] = 1;
          members.push(y);
        }
      }
    }
  }
  return gens;
}

/**
 * Throws unless each irrep is a representation of g: ρ(e) = I and ρ(a∘s) = ρ(a)ρ(s) for every a and every
 * generator s, which gives ρ(a∘b) = ρ(a)ρ(b) for all b by induction on b as a word in the generators. Irreps of
 * another group of the same order would otherwise give energies that mean nothing.
 */
function checkHomomorphisms(g: FiniteGroup, irreps: readonly Irrep[]): void {
  const { order, table } = g;
  const gens = generatingSet(g);
  for (const rho of irreps) {
    const d = rho.dim;
    const fail = (what: string) => new ArgumentError(`irrepBases: irrep ${rho.label} is not a representation of ${g.name} (${what}); pass realIrreps(g) of the same group`);
    const e = rho.matrices[g.identity];
    for (let ij = 0; ij < d * d; ij++) {
      if (!(Math.abs(e[ij] - (ij % (d + 1) === 0 ? 1 : 0)) <= HOMOMORPHISM_TOL)) throw fail(`the identity's matrix is not I`);
    }
    for (const s of gens) {
      const rs = rho.matrices[s];
      for (let a = 0; a < order; a++) {
        const ra = rho.matrices[a];
        const rab = rho.matrices[table[a * order + s]];
        for (let i = 0; i < d; i++) {
          for (let j = 0; j < d; j++) {
            let prod = 0;
            for (let k = 0; k < d; k++) prod += ra[i * d + k] * rs[k * d + j];
            if (!(Math.abs(rab[i * d + j] - prod) <= HOMOMORPHISM_TOL)) throw fail(`ρ(a∘b) ≠ ρ(a)·ρ(b) at element indices a = ${a}, b = ${s}`);
          }
        }
      }
    }
  }
}

function basesFor(order: number, irreps: readonly Irrep[]): IrrepBasis[] {
  return irreps.map((rho) => {
    const basis: Float64Array[] = [];
    for (let ij = 0; ij < rho.dim * rho.dim; ij++) {
      const f = Float64Array.from(rho.matrices, (m) => m[ij]);
      const norm0 = Math.sqrt(dot(f, f));
      if (norm0 === 0) continue;
      // Two passes of projection (classical Gram–Schmidt twice) keep the basis orthonormal to rounding.
      for (let pass = 0; pass < 2; pass++) {
        for (const e of basis) {
          const c = dot(e, f);
          for (let x = 0; x < order; x++) f[x] -= c * e[x];
        }
      }
      const norm = Math.sqrt(dot(f, f));
      if (norm <= DEPENDENT * norm0) continue;
      for (let x = 0; x < order; x++) f[x] /= norm;
      basis.push(f);
    }
    const vectors = new Float64Array(basis.length * order);
    basis.forEach((e, k) => vectors.set(e, k * order));
    return { label: rho.label, rank: basis.length, vectors };
  });
}

/** Throws unless every basis has rank·order vectors (bases built for another group would read out of bounds). */
function checkBases(fn: string, bases: readonly IrrepBasis[], order: number): void {
  for (const b of bases) {
    if (b?.vectors?.length !== b?.rank * order) throw new ShapeError(`${fn}: basis ${String(b?.label)} has ${String(b?.vectors?.length)} values, not rank·|G| = ${String(b?.rank)}·${order}; build the bases with irrepBases for this group`);
  }
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>, n = a.length, offsetA = 0, offsetB = 0): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[offsetA + i] * b[offsetB + i];
  return s;
}

/** ‖P x‖² for the orthonormal rows of a basis; x is read from `offset`. */
function projectedEnergy(basis: IrrepBasis, x: ArrayLike<number>, order: number, offset: number): number {
  let s = 0;
  for (let k = 0; k < basis.rank; k++) {
    const c = dot(basis.vectors, x, order, k * order, offset);
    s += c * c;
  }
  return s;
}

/** One neuron's energy fractions per irrep: (‖P u‖² + ‖P v‖² + ‖P w‖²) / (‖u‖² + ‖v‖² + ‖w‖²); all 0 for a zero neuron. */
export function irrepEnergy(u: ArrayLike<number>, v: ArrayLike<number>, w: ArrayLike<number>, order: number, bases: readonly IrrepBasis[]): Float64Array {
  checkInt('irrepEnergy', 'order', order, 1, 'pass the group order |G|');
  for (const [name, x] of [['u', u], ['v', v], ['w', w]] as const) checkFiniteArray('irrepEnergy', name, x, order, `one value per group element (|G| = ${order})`);
  checkBases('irrepEnergy', bases, order);
  return energiesAt(u, v, w, 0, order, bases);
}

function energiesAt(u: ArrayLike<number>, v: ArrayLike<number>, w: ArrayLike<number>, offset: number, order: number, bases: readonly IrrepBasis[]): Float64Array {
  const total = dot(u, u, order, offset, offset) + dot(v, v, order, offset, offset) + dot(w, w, order, offset, offset);
  const out = new Float64Array(bases.length);
  if (total === 0) return out;
  bases.forEach((basis, k) => {
    out[k] = (projectedEnergy(basis, u, order, offset) + projectedEnergy(basis, v, order, offset) + projectedEnergy(basis, w, order, offset)) / total;
  });
  return out;
}

/** Irrep energies of m neurons (U, V, W: m×|G| row-major, row i = neuron i) and the spec's summary over active neurons. */
export function irrepSummary(
  U: Float32Array, V: Float32Array, W: Float32Array, m: number, order: number, irreps: readonly Irrep[], opts: IrrepSummaryOptions = {},
): IrrepSummary {
  checkOptions('irrepSummary', opts, { activeFraction: true, bases: true });
  checkInt('irrepSummary', 'm', m, 1, 'pass the number of neurons (rows of U, V and W)');
  checkInt('irrepSummary', 'order', order, 1, 'pass the group order |G|');
  for (const [name, x] of [['U', U], ['V', V], ['W', W]] as const) checkFiniteArray('irrepSummary', name, x, m * order, `m·|G| = ${m}·${order} values (row i = neuron i)`);
  checkIrreps('irrepSummary', irreps, order);
  if (irreps.length === 0) throw new ArgumentError('irrepSummary: no irreps given; pass realIrreps(group)');
  const activeFraction = opts.activeFraction ?? 1e-3;
  if (!(activeFraction >= 0 && activeFraction < 1)) throw new ArgumentError(`irrepSummary: activeFraction must be in [0, 1) (got ${activeFraction})`);
  const bases = opts.bases ?? basesFor(order, irreps);
  if (bases.length !== irreps.length) throw new ArgumentError(`irrepSummary: ${bases.length} bases for ${irreps.length} irreps; build them with irrepBases from the same irreps`);
  checkBases('irrepSummary', bases, order);

  const norms = Float64Array.from({ length: m }, (_, i) => {
    const o = i * order;
    return dot(U, U, order, o, o) + dot(V, V, order, o, o) + dot(W, W, order, o, o);
  });
  const threshold = activeFraction * norms.reduce((a, b) => Math.max(a, b), 0);
  const neuronsPerIrrep = irreps.map(() => 0);
  let concentrationSum = 0;
  let activeCount = 0;
  const neurons = Array.from({ length: m }, (_, i): NeuronIrrepEnergy => {
    const energies = energiesAt(U, V, W, i * order, order, bases);
    let best = 0;
    for (let k = 1; k < energies.length; k++) if (energies[k] > energies[best]) best = k;
    const active = norms[i] > threshold;
    if (active) {
      activeCount++;
      concentrationSum += energies[best];
      neuronsPerIrrep[best]++;
    }
    return { energies, best, concentration: energies[best], active };
  });
  return {
    neurons,
    irrepConcentration: activeCount > 0 ? concentrationSum / activeCount : NaN,
    irrepsUsed: irreps.filter((rho, k) => !rho.trivial && neuronsPerIrrep[k] > 0).map((rho) => rho.label),
    neuronsPerIrrep,
  };
}
