/**
 * Finite groups as multiplication tables (spec margin-algebra.md, "Networks": one-hot inputs indexed by
 * group elements). Elements are the indices 0..order−1; `table[a·order + b]` is the index of a∘b.
 * The `kind` field says which family built the group, so `realIrreps` knows which construction applies.
 */
import { ArgumentError } from '../errors.js';

/** Which construction made a group; `custom` groups have no built-in irreps. */
export type GroupKind =
  | { readonly type: 'cyclic'; readonly n: number }
  | { readonly type: 'dihedral'; readonly n: number }
  | { readonly type: 'symmetric'; readonly n: number }
  | { readonly type: 'custom' };

/** A finite group given by its multiplication table. */
export interface FiniteGroup {
  readonly name: string;
  readonly kind: GroupKind;
  readonly order: number;
  readonly identity: number;
  /** order×order, table[a*order+b] = index of a∘b */
  readonly table: Uint16Array;
  multiply(a: number, b: number): number;
  inverse(a: number): number;
  label(a: number): string;
}

/** Largest order accepted: the table holds order² entries (32 MiB at 4096), and indices fit in 16 bits. */
export const MAX_GROUP_ORDER = 4096;

/** Throws ArgumentError unless `n` is an integer in [min, max]; `what` names the call and the parameter. */
export function requireIntegerIn(what: string, n: number, min: number, max: number): void {
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ArgumentError(`${what} must be an integer from ${min} to ${max} (got ${n})`);
  }
}

/** What `groupFromElements` needs: the elements, their composition and how to name them. */
export interface GroupSpec<T> {
  name: string;
  elements: readonly T[];
  /** compose(a, b) = a∘b; must be associative (not checked: that costs order³). */
  compose: (a: T, b: T) => T;
  /** Equal elements get equal keys; default JSON.stringify. */
  key?: (x: T) => string;
  /** Display name of an element; default String(x). */
  label?: (x: T) => string;
  kind?: GroupKind;
}

/** Builds a FiniteGroup from distinct elements and a composition; checks closure, an identity and inverses. */
export function groupFromElements<T>(spec: GroupSpec<T>): FiniteGroup {
  if (spec === null || typeof spec !== 'object') throw new ArgumentError(`groupFromElements: pass a spec object { name, elements, compose }, got ${String(spec)}`);
  const { name, elements, compose } = spec;
  if (!Array.isArray(elements)) throw new ArgumentError(`groupFromElements('${name}'): elements must be an array of the group's elements, got ${String(elements)}`);
  if (typeof compose !== 'function') throw new ArgumentError(`groupFromElements('${name}'): compose must be a function (a, b) => a∘b, got ${String(compose)}`);
  for (const what of ['key', 'label'] as const) {
    if (spec[what] !== undefined && typeof spec[what] !== 'function') throw new ArgumentError(`groupFromElements('${name}'): ${what} must be a function of an element (or left out), got ${String(spec[what])}`);
  }
  const key = spec.key ?? ((x: T) => JSON.stringify(x));
  const labelOf = spec.label ?? ((x: T) => String(x));
  const order = elements.length;
  requireIntegerIn(`groupFromElements('${name}'): the number of elements`, order, 1, MAX_GROUP_ORDER);
  const index = new Map<string, number>();
  elements.forEach((x, i) => {
    const k = key(x);
    if (index.has(k)) throw new ArgumentError(`groupFromElements('${name}'): elements ${index.get(k)} and ${i} are equal (key ${k}); pass distinct elements`);
    index.set(k, i);
  });
  const table = new Uint16Array(order * order);
  for (let a = 0; a < order; a++) {
    for (let b = 0; b < order; b++) {
      const k = key(compose(elements[a], elements[b]));
      const c = index.get(k);
      if (c === undefined) {
        throw new ArgumentError(`groupFromElements('${name}'): not closed: ${labelOf(elements[a])} ∘ ${labelOf(elements[b])} = ${k} is not among the elements`);
      }
      table[a * order + b] = c;
    }
  }
  const identity = findIdentity(table, order);
  if (identity < 0) throw new ArgumentError(`groupFromElements('${name}'): no element is a two-sided identity, so this is not a group`);
  const inverses = new Uint16Array(order);
  for (let a = 0; a < order; a++) {
    let inv = -1;
    for (let b = 0; b < order && inv < 0; b++) if (table[a * order + b] === identity && table[b * order + a] === identity) inv = b;
    if (inv < 0) throw new ArgumentError(`groupFromElements('${name}'): ${labelOf(elements[a])} has no inverse, so this is not a group`);
    inverses[a] = inv;
  }
  const labels = elements.map(labelOf);
  const check = (a: number) => {
    if (!Number.isInteger(a) || a < 0 || a >= order) throw new ArgumentError(`${name}: element index must be an integer from 0 to ${order - 1} (got ${a})`);
  };
  return {
    name,
    kind: spec.kind ?? { type: 'custom' },
    order,
    identity,
    table,
    multiply(a, b) {
      check(a);
      check(b);
      return table[a * order + b];
    },
    inverse(a) {
      check(a);
      return inverses[a];
    },
    label(a) {
      check(a);
      return labels[a];
    },
  };
}

/** Index of the element whose row and column of the table are the identity permutation, or −1. */
function findIdentity(table: Uint16Array, order: number): number {
  for (let e = 0; e < order; e++) {
    let ok = true;
    for (let x = 0; x < order && ok; x++) ok = table[e * order + x] === x && table[x * order + e] === x;
    if (ok) return e;
  }
  return -1;
}
