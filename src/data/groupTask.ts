/**
 * The group composition task (spec margin-algebra.md, "Networks" and "Paper's settings": no train/test
 * split, the whole |G|² table): inputs (a, b) one-hot over G, label a∘b.
 */
import type { FiniteGroup } from '../groups/group.js';

/** Every pair of a group's elements and its product. */
export interface GroupCompositionData {
  order: number;
  a: Int32Array;
  b: Int32Array;
  y: Int32Array;
  count: number;
}

/** All |G|² pairs (a, b) with y = a∘b, pair a·|G| + b at row a·|G| + b. */
export function groupComposition(g: FiniteGroup): GroupCompositionData {
  const order = g.order;
  const count = order * order;
  const a = new Int32Array(count);
  const b = new Int32Array(count);
  const y = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    a[i] = Math.floor(i / order);
    b[i] = i % order;
    y[i] = g.table[i];
  }
  return { order, a, b, y, count };
}
