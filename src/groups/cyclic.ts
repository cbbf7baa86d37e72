/** The cyclic group Z_n (spec margin-algebra.md, "Networks": modular addition is composition in Z_p). */
import { groupFromElements, MAX_GROUP_ORDER, requireIntegerIn, type FiniteGroup } from './group.js';

/** Z_n: element k ↔ k, a∘b = (a + b) mod n, identity 0. */
export function cyclic(n: number): FiniteGroup {
  requireIntegerIn('cyclic(n): n', n, 1, MAX_GROUP_ORDER);
  return groupFromElements({
    name: `Z_${n}`,
    kind: { type: 'cyclic', n },
    elements: Array.from({ length: n }, (_, k) => k),
    compose: (a, b) => (a + b) % n,
  });
}
