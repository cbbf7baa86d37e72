/** Finite groups and their real irreps (spec margin-algebra.md, "Groups"). */
export { groupFromElements, MAX_GROUP_ORDER } from './group.js';
export type { FiniteGroup, GroupKind, GroupSpec } from './group.js';
export { cyclic } from './cyclic.js';
export { dihedral } from './dihedral.js';
export { symmetric, permutations, permutationIndex } from './symmetric.js';
export { realIrreps } from './irreps.js';
export type { Irrep } from './irreps.js';
