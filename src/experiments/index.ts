/** The experiment registry: names → experiments, for the CLI and the web page. */
import { ConfigError } from '../errors.js';
import { checkConfig } from './config.js';
import { checkContext } from './context.js';
import { featuremap } from './featuremap.js';
import { gde } from './gde.js';
import { interactions } from './interactions.js';
import { interactionTensorExperiment } from './interactionTensorExperiment.js';
import { group } from './group.js';
import { memorization } from './memorization.js';
import { mlp } from './mlp.js';
import { modadd } from './modadd.js';
import { parity } from './parity.js';
import type { AnyExperiment } from './types.js';

/**
 * The experiment with a run() that first checks its arguments: the config complete and valid (as buildConfig
 * makes it) and the context's keys and types. A config built by hand, or a misspelt context key, would
 * otherwise fail deep inside the run with a TypeError, or be ignored.
 */
function checkingRun(exp: AnyExperiment): AnyExperiment {
  return {
    ...exp,
    run: async (config, ctx) => {
      checkConfig(exp, config);
      checkContext(exp.name, ctx);
      return exp.run(config, ctx);
    },
  };
}

/** Every experiment, in the order `featurelab list` shows them. */
export const EXPERIMENTS: readonly AnyExperiment[] = [modadd, parity, group, mlp, memorization, featuremap, gde, interactionTensorExperiment, interactions]
  .map((e) => checkingRun(e as unknown as AnyExperiment));

/** The experiment called `name`; ConfigError listing the names when there is none. */
export function findExperiment(name: string): AnyExperiment {
  const exp = EXPERIMENTS.find((e) => e.name === name);
  if (!exp) throw new ConfigError(`unknown experiment '${name}'; choose one of ${EXPERIMENTS.map((e) => e.name).join(', ')}`);
  return exp;
}
