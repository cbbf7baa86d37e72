/**
 * The symmetric group S_n, n ≤ 5 (spec margin-algebra.md, "Margin" and "Groups": S_3, S_4, S_5).
 * Elements are permutations of {0..n−1} in one-line notation (p[i] = image of i), listed in lexicographic
 * order, so index 0 is the identity. Composition applies the right factor first: (a∘b)(i) = a(b(i)).
 */
import { ArgumentError } from '../errors.js';
import { groupFromElements, requireIntegerIn, type FiniteGroup } from './group.js';

/** Largest n of `permutations(n)` (8! = 40320 lists) and of `permutationIndex`. */
const MAX_PERMUTATION_N = 8;

/** All permutations of {0..n−1} in lexicographic order of their one-line notation. */
export function permutations(n: number): number[][] {
  requireIntegerIn('permutations(n): n', n, 0, MAX_PERMUTATION_N);
  const out: number[][] = [];
  const extend = (prefix: number[], rest: number[]) => {
    if (rest.length === 0) out.push(prefix);
    rest.forEach((x, i) => extend([...prefix, x], [...rest.slice(0, i), ...rest.slice(i + 1)]));
  };
  extend([], Array.from({ length: n }, (_, i) => i));
  return out;
}

/** Index of a permutation (one-line notation) in the lexicographic list, i.e. its element index in S_n. */
export function permutationIndex(p: readonly number[]): number {
  if (p == null || typeof p !== 'object' || typeof p.length !== 'number') {
    throw new ArgumentError(`permutationIndex: p must be an array in one-line notation (p[i] = image of i, e.g. [1, 0, 2]), got ${String(p)}`);
  }
  const n = p.length;
  if (n > MAX_PERMUTATION_N) throw new ArgumentError(`permutationIndex: p has ${n} entries; at most ${MAX_PERMUTATION_N} are supported (as in permutations(n))`);
  // A repeated or out-of-range entry would give the index of some other permutation without complaint.
  const seen = new Array<boolean>(n).fill(false);
  for (let i = 0; i < n; i++) {
    const x = p[i];
    if (!Number.isInteger(x) || x < 0 || x >= n) throw new ArgumentError(`permutationIndex: p[${i}] is ${String(x)}, not an integer from 0 to ${n - 1}; p must hold each of 0..${n - 1} once`);
    if (seen[x]) throw new ArgumentError(`permutationIndex: ${x} appears twice in p (again at p[${i}]); p must hold each of 0..${n - 1} once`);
    seen[x] = true;
  }
  let rank = 0;
  for (let i = 0; i < p.length; i++) {
    let smallerLater = 0;
    for (let j = i + 1; j < p.length; j++) if (p[j] < p[i]) smallerLater++;
    rank = rank * (p.length - i) + smallerLater;
  }
  return rank;
}

/** S_n for 1 ≤ n ≤ 5; element labels are 0-based cycle notation, e.g. "(0 1 2)(3 4)", identity "e". */
export function symmetric(n: number): FiniteGroup {
  requireIntegerIn('symmetric(n): n (S_6 has 720 elements, too many for the all-pairs task)', n, 1, 5);
  return groupFromElements({
    name: `S_${n}`,
    kind: { type: 'symmetric', n },
    elements: permutations(n),
    compose: (a, b) => b.map((bi) => a[bi]),
    key: (p) => p.join(','),
    label: cycleNotation,
  });
}

/** "(0 1 2)(3 4)": cycles of length ≥ 2 starting at their smallest point; "e" for the identity. */
function cycleNotation(p: readonly number[]): string {
  const seen = new Array<boolean>(p.length).fill(false);
  let out = '';
  for (let start = 0; start < p.length; start++) {
    if (seen[start] || p[start] === start) continue;
    const cycle: number[] = [];
    for (let i = start; !seen[i]; i = p[i]) {
      seen[i] = true;
      cycle.push(i);
    }
    out += `(${cycle.join(' ')})`;
  }
  return out || 'e';
}
