// Builds the platform-neutral library bundle (dist/featurelab.js) and the Node CLI (dist/cli.js).
// WGSL is imported as text and the .wasm modules as bytes, so the bundle needs no fs, fetch or import.meta.url.
import * as esbuild from 'esbuild';

/** esbuild options shared by the library, the CLI, the tests and the benchmarks. */
export const sharedOptions = {
  bundle: true,
  format: 'esm',
  target: 'es2022',
  loader: { '.wgsl': 'text', '.wasm': 'binary' },
  // Node-only modules are loaded lazily by dynamic import and only in Node.
  external: ['webgpu', 'node:*'],
  logLevel: 'warning',
};

if (import.meta.url === `file://${process.argv[1]}`) {
  await esbuild.build({ ...sharedOptions, platform: 'neutral', entryPoints: ['src/index.ts'], outfile: 'dist/featurelab.js' });
  await esbuild.build({
    ...sharedOptions,
    platform: 'node',
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    banner: { js: '#!/usr/bin/env node' },
  });
}
