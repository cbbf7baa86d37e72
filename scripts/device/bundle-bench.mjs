// One benchmark (bench/<name>.ts) as one file for the lent GPU machine, with everything but Dawn inlined.
// pack.mjs bundles every device benchmark with it; to compare kernel builds in one device call, bundle each
// build's benchmark under its own name, e.g. `node scripts/device/bundle-bench.mjs webgpu-tiles .dev/bench-webgpu-tiles-old.mjs`.
import * as esbuild from 'esbuild';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sharedOptions } from '../build.mjs';

const root = resolve(import.meta.dirname, '../..');

/** Bundles bench/<name>.ts into `outfile` (ESM for Node, `require` provided for the peers' CommonJS). */
export async function bundleBench(name, outfile) {
  await esbuild.build({
    ...sharedOptions, platform: 'node', entryPoints: [join(root, 'bench', `${name}.ts`)], outfile, logLevel: 'error',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [name, outfile] = process.argv.slice(2);
  if (!name || !outfile) {
    console.error('usage: node scripts/device/bundle-bench.mjs <bench name, e.g. webgpu-tiles> <output .mjs>');
    process.exit(2);
  }
  await bundleBench(name, resolve(outfile));
  console.log(`wrote ${outfile}`);
}
