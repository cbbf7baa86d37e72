/** How the page words an error: the error panel shows these, and the browser tests read them. */
import { DatasetMissingError } from '../errors.js';

/** An error as the page shows it: its name, then its message. */
export function errorText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** A run's error as the page shows it: a missing data file gets the page's hint in place of the loaders' (for a disk: apt-get, a folder). */
export function runErrorText(e: unknown): string {
  if (!(e instanceof DatasetMissingError)) return errorText(e);
  const message = e.message.replace(/(;|,)( or)? install it with `apt-get[\s\S]*$/, '');
  const hint = /Fashion-MNIST/.test(e.message) ? 'In this page: pick the four Fashion-MNIST files under "Fashion-MNIST files".'
    : 'In this page: pick it under "Fashion-MNIST files", with the dataset\'s four.';
  return `${e.name}: ${message}. ${hint}`;
}
