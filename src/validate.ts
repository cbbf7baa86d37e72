/** Argument checks shared by the public functions (metrics, kernels, training, backends); every message names the function, the argument and the fix. */
import { ArgumentError, FeaturelabError, ShapeError } from './errors.js';
import type { Backend } from './backend/types.js';

/** Throws unless x is array-like (a typed array or an array): not null, a number, an object without a length. */
export function checkArrayLike(fn: string, name: string, x: ArrayLike<number>): void {
  if (x == null || typeof x !== 'object' || typeof x.length !== 'number') throw new ArgumentError(`${fn}: ${name} must be an array of numbers, got ${String(x)}`);
}

/** Throws unless every entry of the array-like x is a finite number (any length). */
export function checkFiniteEntries(fn: string, name: string, x: ArrayLike<number>): void {
  checkArrayLike(fn, name, x);
  for (let i = 0; i < x.length; i++) {
    if (typeof x[i] !== 'number' || !Number.isFinite(x[i])) throw new ArgumentError(`${fn}: ${name}[${i}] is ${String(x[i])}; every entry must be a finite number (check the run for divergence)`);
  }
}

/** Throws unless x is an array of exactly `length` finite numbers (`what` describes the expected shape). */
export function checkFiniteArray(fn: string, name: string, x: ArrayLike<number>, length: number, what: string): void {
  checkArrayLike(fn, name, x);
  if (x.length !== length) throw new ShapeError(`${fn}: ${name} has length ${x.length} but ${what} needs ${length}; pass ${what}`);
  checkFiniteEntries(fn, name, x);
}

/**
 * Throws unless labels holds class indices: whole numbers in [0, classes); given `count`, exactly that many (one
 * per `per`). A label outside the classes would otherwise count as a silent miss or a wrong class.
 */
export function checkClassLabels(fn: string, labels: ArrayLike<number>, classes: number, count?: number, per = 'example'): void {
  checkArrayLike(fn, 'labels', labels);
  if (count !== undefined && labels.length !== count) throw new ShapeError(`${fn}: labels has length ${labels.length} but ${count} are needed; pass one label per ${per}`);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (!(Number.isInteger(y) && y! >= 0 && y! < classes)) throw new ArgumentError(`${fn}: labels[${i}] is ${String(y)}, not a class in [0, ${classes})`);
  }
}

/** Throws unless n is an integer ≥ min. */
export function checkInt(fn: string, name: string, n: number, min: number, hint: string): void {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min) throw new ArgumentError(`${fn}: ${name} must be an integer ≥ ${min}, got ${String(n)}; ${hint}`);
}

/** A number in [lo, hi] (null, strings and NaN are not). */
export function isNumberIn(x: unknown, lo: number, hi: number): x is number {
  return typeof x === 'number' && x >= lo && x <= hi;
}

/**
 * Runs `body` for the exported function `fn`; a FeaturelabError raised by a function it delegates to is rethrown
 * (same class) as `fn: <message>`, so the message names the function the caller called as well as the step.
 */
export function naming<T>(fn: string, body: () => T): T {
  try {
    return body();
  } catch (e) {
    if (!(e instanceof FeaturelabError) || e.message.startsWith(`${fn}:`)) throw e;
    const Same = e.constructor as new (message: string) => FeaturelabError;
    throw new Same(`${fn}: ${e.message}`);
  }
}

/** The names of every option a function takes: one entry per key of its options type, so the list cannot miss one. */
export type OptionKeys<T> = { readonly [K in keyof Required<T>]: true };

/**
 * Throws unless opts is undefined or an options object whose every key is one of `keys`: a misspelt option
 * would otherwise be ignored without a word and its default used.
 */
export function checkOptions<T extends object>(fn: string, opts: T | undefined, keys: NoInfer<OptionKeys<T>>): void {
  if (opts === undefined) return;
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) {
    throw new ArgumentError(`${fn}: the options must be an object (or left out), got ${String(opts)}`);
  }
  for (const key of Object.keys(opts)) {
    if (!Object.hasOwn(keys, key)) {
      const known = Object.keys(keys);
      throw new ArgumentError(`${fn}: unknown option '${key}'; ${known.length ? `the options are ${known.join(', ')}` : 'it takes no options'}`);
    }
  }
}

/** Throws unless p is an odd integer ≥ 3 (the real Fourier basis of Z_p pairs cos/sin only for odd p). */
export function checkOddModulus(fn: string, p: number): void {
  if (!Number.isInteger(p) || p < 3 || p % 2 === 0) {
    throw new ArgumentError(
      `${fn}: p must be an odd integer ≥ 3, got ${String(p)}; the real Fourier basis of Z_p (frequency 0 and ` +
        `cos/sin pairs for ζ = 1..(p−1)/2) needs an odd modulus — use an odd p (e.g. a prime)`,
    );
  }
}

/** A value as an error message shows it: strings quoted (so '2' is not mistaken for 2), objects by kind. */
export function describeValue(v: unknown): string {
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  if (typeof v === 'bigint') return `the bigint ${v}n`;
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (v !== null && typeof v === 'object') {
    const kind = v.constructor?.name;
    return kind && kind !== 'Object' ? `a ${kind}` : 'an object';
  }
  return String(v);
}

/** Whether `v` looks like a featurelab backend (an object with the Backend ops): the check behind every "pass the backend" error. */
export function isBackend(v: unknown): v is Backend {
  return v !== null && typeof v === 'object' && typeof (v as Partial<Backend>).matmul === 'function' && typeof (v as Partial<Backend>).upload === 'function';
}
