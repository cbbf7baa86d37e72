/**
 * The dihedral group D_n of order 2n (spec margin-algebra.md, "Groups"): symmetries of a regular n-gon,
 * r = rotation by 2π/n, s = a reflection, s r s = r⁻¹. Index k is r^k and index n + k is s·r^k.
 */
import { groupFromElements, MAX_GROUP_ORDER, requireIntegerIn, type FiniteGroup } from './group.js';

/** s^flip · r^rot */
interface DihedralElement {
  flip: 0 | 1;
  rot: number;
}

/** D_n (n ≥ 3): indices 0..n−1 are r^k, n..2n−1 are s·r^k; identity 0. */
export function dihedral(n: number): FiniteGroup {
  requireIntegerIn('dihedral(n): n (D_n has order 2n; n = 1, 2 are not dihedral in this convention)', n, 3, MAX_GROUP_ORDER / 2);
  const elements: DihedralElement[] = [];
  for (const flip of [0, 1] as const) for (let rot = 0; rot < n; rot++) elements.push({ flip, rot });
  return groupFromElements({
    name: `D_${n}`,
    kind: { type: 'dihedral', n },
    elements,
    // s^f1 r^k1 · s^f2 r^k2 = s^(f1+f2) r^((−1)^f2 k1 + k2), because r^k s = s r^−k.
    compose: (a, b) => ({
      flip: ((a.flip + b.flip) % 2) as 0 | 1,
      rot: (((b.flip ? n - a.rot : a.rot) + b.rot) % n),
    }),
    key: (x) => `${x.flip}:${x.rot}`,
    label: (x) => {
      const r = x.rot === 0 ? '' : x.rot === 1 ? 'r' : `r^${x.rot}`;
      return x.flip ? `s${r}` : r || 'e';
    },
  });
}
