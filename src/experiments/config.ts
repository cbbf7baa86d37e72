/** Builds an experiment config from a preset and `key=value` overrides, with errors that list what is allowed. */
import { ConfigError } from '../errors.js';
import type { AnyExperiment, ConfigValue } from './types.js';

/** The config for `preset` with `sets` ("key=value") applied and checked against the experiment's keys. */
export function buildConfig(exp: AnyExperiment, preset: string, sets: string[]): Record<string, ConfigValue> {
  const overrides = exp.presets[preset];
  if (!overrides) throw new ConfigError(`${exp.name}: unknown preset '${preset}'; choose one of ${Object.keys(exp.presets).join(', ')}`);
  const config = { ...exp.defaults, ...overrides } as Record<string, ConfigValue>;
  for (const set of sets) {
    const eq = set.indexOf('=');
    if (eq <= 0) throw new ConfigError(`--set expects key=value, got '${set}'`);
    const key = set.slice(0, eq).trim();
    config[key] = parseValue(exp, key, set.slice(eq + 1).trim());
  }
  for (const [key, value] of Object.entries(config)) checkValue(exp, key, value);
  return config;
}

/** Parses a --set value with the type of the key's default. */
function parseValue(exp: AnyExperiment, key: string, text: string): ConfigValue {
  if (!(key in exp.defaults)) {
    throw new ConfigError(`${exp.name}: unknown config key '${key}'; allowed keys: ${Object.keys(exp.defaults).join(', ')} (see 'featurelab run ${exp.name} --help')`);
  }
  const def = exp.defaults[key];
  if (typeof def === 'number') {
    const v = Number(text);
    if (text === '' || !Number.isFinite(v)) throw new ConfigError(`${exp.name}: ${key} must be a number, got '${text}'`);
    return v;
  }
  if (typeof def === 'boolean') {
    if (text !== 'true' && text !== 'false') throw new ConfigError(`${exp.name}: ${key} must be true or false, got '${text}'`);
    return text === 'true';
  }
  return text;
}

/** Checks one value against the key's documentation (integer, minimum, choices). */
function checkValue(exp: AnyExperiment, key: string, value: ConfigValue): void {
  const doc = exp.keys[key];
  if (!doc) throw new ConfigError(`${exp.name}: config key '${key}' is not documented; this is a bug in the experiment`);
  if (typeof value === 'number') {
    if (doc.integer && !Number.isInteger(value)) throw new ConfigError(`${exp.name}: ${key} must be an integer, got ${value}`);
    if (doc.min !== undefined && value < doc.min) throw new ConfigError(`${exp.name}: ${key} must be ≥ ${doc.min}, got ${value}`);
  }
  if (doc.choices && !doc.choices.includes(String(value))) {
    throw new ConfigError(`${exp.name}: ${key} must be one of ${doc.choices.join(', ')}, got '${String(value)}'`);
  }
}
