/**
 * Builds an experiment config from a preset, an optional JSON object of values (`--config file.json`) and
 * `key=value` overrides, with errors that list what is allowed. Config files are data: parsed with JSON.parse
 * only, every key must be one of the experiment's own keys (never an inherited name like `__proto__`), every
 * value must have the type of the key's default, and the experiment's `validate` checks rules across keys.
 */
import { ConfigError } from '../errors.js';
import type { AnyExperiment, ConfigValue } from './types.js';

/**
 * The config for `preset`, then the values of `file` (a parsed JSON object, or undefined), then `sets`
 * ("key=value") applied; every value checked against the experiment's keys and its `validate` rules.
 */
export function buildConfig(exp: AnyExperiment, preset: string, sets: string[], file?: unknown, fileName = 'the config file'): Record<string, ConfigValue> {
  if (exp === null || typeof exp !== 'object' || typeof exp.run !== 'function' || typeof exp.defaults !== 'object') {
    throw new ConfigError(`buildConfig: the first argument must be an experiment (findExperiment('modadd'), or one of EXPERIMENTS), got ${JSON.stringify(exp) ?? String(exp)}`);
  }
  if (!Array.isArray(sets)) throw new ConfigError(`${exp.name}: the overrides must be an array of "key=value" strings (e.g. ['p=11', 'steps=1000']; [] for none), got ${JSON.stringify(sets) ?? String(sets)}`);
  if (!Object.hasOwn(exp.presets, preset)) throw new ConfigError(`${exp.name}: unknown preset '${preset}'; choose one of ${Object.keys(exp.presets).join(', ')}`);
  const config = { ...exp.defaults, ...exp.presets[preset] } as Record<string, ConfigValue>;
  // Keys whose value is the file's (not replaced by a --set): their errors name the file.
  const fromFile = new Set<string>();
  if (file !== undefined) {
    if (file === null || typeof file !== 'object' || Array.isArray(file)) {
      throw new ConfigError(`${fileName}: expected a JSON object of config keys and values (e.g. {"lr": 0.01}), got ${Array.isArray(file) ? 'an array' : JSON.stringify(file)}`);
    }
    for (const [key, value] of Object.entries(file)) {
      config[knownKey(exp, key, fileName)] = typedValue(exp, key, value, fileName);
      fromFile.add(key);
    }
  }
  for (const set of sets) {
    const eq = set.indexOf('=');
    if (eq <= 0) throw new ConfigError(`--set expects key=value, got '${set}'`);
    const key = knownKey(exp, set.slice(0, eq).trim(), '--set');
    config[key] = parseValue(exp, key, set.slice(eq + 1).trim());
    fromFile.delete(key);
  }
  for (const [key, value] of Object.entries(config)) checkValue(exp, key, value, fromFile.has(key) ? `${fileName}: ` : '');
  try {
    exp.validate?.(config);
  } catch (e) {
    // A rule across keys does not say where its values came from: name the file's keys that it mentions.
    const named = [...fromFile].filter((k) => e instanceof ConfigError && new RegExp(`\\b${k}\\b`).test(e.message));
    if (!(e instanceof ConfigError) || named.length === 0) throw e;
    throw new ConfigError(`${fileName}: ${e.message} (the file sets ${named.join(', ')})`);
  }
  return config;
}

/**
 * Throws ConfigError unless `config` is a complete config of `exp` as buildConfig makes one: an object with every
 * key of the experiment and no other, each value of the key's type and range, and the experiment's rules met.
 * Experiments run through the registry check this first, so a config built by hand fails with the key's name.
 */
export function checkConfig(exp: AnyExperiment, config: unknown): asserts config is Record<string, ConfigValue> {
  const hint = `build it with buildConfig(findExperiment('${exp.name}'), 'quick', ['key=value', …])`;
  if (config === null || typeof config !== 'object' || Array.isArray(config)) throw new ConfigError(`${exp.name}: the config must be an object of its keys; ${hint}; got ${JSON.stringify(config) ?? String(config)}`);
  for (const key of Object.keys(config)) knownKey(exp, key, `${exp.name} config`);
  const missing = Object.keys(exp.defaults).filter((key) => !Object.hasOwn(config, key));
  if (missing.length > 0) throw new ConfigError(`${exp.name}: the config lacks ${missing.join(', ')}; ${hint}`);
  const values = config as Record<string, ConfigValue>;
  for (const [key, value] of Object.entries(values)) checkValue(exp, key, value, '');
  exp.validate?.(values);
}

/** What a --config file looks like: parseConfigText's default hint. */
export const CONFIG_FILE_HINT = 'a config file is one JSON object, e.g. {"lr": 0.01, "hidden": 64}';

/**
 * Parses the text of a JSON file (data only, never evaluated; a leading UTF-8 byte-order mark is skipped); ConfigError naming the file when it is not JSON,
 * ending with `hint`, what the file should look like (a sweep file or a result.json reads other JSON than a config file).
 */
export function parseConfigText(text: string, fileName: string, hint: string = CONFIG_FILE_HINT): unknown {
  try {
    // Editors on Windows often start UTF-8 files with a byte-order mark; it is not part of the JSON.
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) as unknown;
  } catch (e) {
    throw new ConfigError(`${fileName}: not valid JSON (${e instanceof Error ? e.message : String(e)}); ${hint}`);
  }
}

/** `key` when it is one of the experiment's own config keys; ConfigError listing them otherwise. */
function knownKey(exp: AnyExperiment, key: string, where: string): string {
  if (!Object.hasOwn(exp.defaults, key)) {
    throw new ConfigError(`${where}: unknown config key '${key}' for ${exp.name}; allowed keys: ${Object.keys(exp.defaults).join(', ')} (see 'featurelab run ${exp.name} --help')`);
  }
  return key;
}

/** A value from a config file, which must have the JSON type of the key's default. */
function typedValue(exp: AnyExperiment, key: string, value: unknown, fileName: string): ConfigValue {
  const want = typeof exp.defaults[key];
  if (typeof value !== want) {
    throw new ConfigError(`${fileName}: ${exp.name}: ${key} must be a ${want} (like its default ${JSON.stringify(exp.defaults[key])}), got ${JSON.stringify(value) ?? String(value)}`);
  }
  return value as ConfigValue;
}

/** A plain decimal number: optional sign, digits, optional fraction, optional exponent (no hex, no Infinity). */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** What DECIMAL accepts, for messages. */
export const DECIMAL_HINT = 'a plain decimal number like 0.01, -3 or 1e-4';

/** The value of `text` when it is a plain decimal number (DECIMAL), else undefined; Number() alone takes '0x10', '' and ' '. */
export function parseDecimal(text: string): number | undefined {
  return DECIMAL.test(text) ? Number(text) : undefined;
}

/** The value of `text` when it is a whole number 0 … 2^53 − 1 in decimal digits, else undefined: seeds and step counts. */
export function parseWholeNumber(text: string): number | undefined {
  const v = /^\d+$/.test(text) ? Number(text) : NaN;
  return Number.isSafeInteger(v) ? v : undefined;
}

/** Parses a --set value with the type of the key's default. */
function parseValue(exp: AnyExperiment, key: string, text: string): ConfigValue {
  const def = exp.defaults[key];
  if (typeof def === 'number') {
    const v = parseDecimal(text);
    if (v === undefined) throw new ConfigError(`${exp.name}: ${key} must be ${DECIMAL_HINT}, got '${text}'`);
    if (!Number.isFinite(v)) throw new ConfigError(`${exp.name}: ${key} must be a finite number, got '${text}'`);
    return v;
  }
  if (typeof def === 'boolean') {
    if (text !== 'true' && text !== 'false') throw new ConfigError(`${exp.name}: ${key} must be true or false, got '${text}'`);
    return text === 'true';
  }
  return text;
}

/** Checks one value against the key's documentation (type, finite, integer, minimum, positive, maximum, choices); `where` ('file: ' or '') starts each message. */
function checkValue(exp: AnyExperiment, key: string, value: ConfigValue, where: string): void {
  const doc = Object.hasOwn(exp.keys, key) ? exp.keys[key] : undefined;
  if (!doc) throw new ConfigError(`${exp.name}: config key '${key}' is not documented; this is a bug in the experiment`);
  const at = `${where}${exp.name}: ${key}`;
  if (typeof value !== typeof exp.defaults[key]) throw new ConfigError(`${at} must be a ${typeof exp.defaults[key]}, got ${JSON.stringify(value)}`);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ConfigError(`${at} must be a finite number, got ${value}`);
    if (doc.integer && !Number.isInteger(value)) throw new ConfigError(`${at} must be an integer, got ${value}`);
    if (doc.min !== undefined && value < doc.min) throw new ConfigError(`${at} must be ≥ ${doc.min}, got ${value}`);
    if (doc.positive && !(value > 0)) throw new ConfigError(`${at} must be > 0, got ${value}`);
    if (doc.max !== undefined && value > doc.max) throw new ConfigError(`${at} must be ≤ ${doc.max}, got ${value}`);
  }
  if (doc.choices && !doc.choices.includes(String(value))) {
    throw new ConfigError(`${at} must be one of ${doc.choices.join(', ')}, got '${String(value)}'`);
  }
}
