// Builds the platform-neutral library bundle (dist/featurelab.js), the Deno runner (dist/deno-run.js), the Node CLI
// (dist/cli.js) and the web page (dist/web/: index.html, style.css, main.js — works from any static host, nothing loaded from the net).
// WGSL and the report's CSS are imported as text and the .wasm modules as bytes, so the bundle needs no fs, fetch or
// import.meta.url.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as esbuild from 'esbuild';

/** esbuild options shared by the library, the CLI, the tests and the benchmarks. */
export const sharedOptions = {
  bundle: true,
  format: 'esm',
  target: 'es2022',
  loader: { '.wgsl': 'text', '.wasm': 'binary', '.css': 'text' },
  // Node-only modules are loaded lazily by dynamic import and only in Node.
  external: ['webgpu', 'node:*'],
  logLevel: 'warning',
};

/** Things a platform-neutral bundle must not contain: file-system access, network fetches, file URLs. */
const FORBIDDEN = [
  [/\bfetch\s*\(/, 'a fetch() call'],
  [/import\.meta\.url/, 'import.meta.url'],
  [/["'](node:)?fs(\/promises)?["']/, 'the fs module'],
  [/\brequire\s*\(/, 'a require() call'],
];

/** Fails the build when a browser-facing bundle reaches for fs, fetch or its own URL. */
function checkNeutral(file) {
  const text = readFileSync(file, 'utf8');
  for (const [pattern, what] of FORBIDDEN) {
    const at = text.search(pattern);
    if (at >= 0) throw new Error(`${file} contains ${what} near: ${JSON.stringify(text.slice(Math.max(0, at - 60), at + 60))}; the library bundle must run in browsers, Node and Deno without file paths`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await esbuild.build({ ...sharedOptions, platform: 'neutral', entryPoints: ['src/index.ts'], outfile: 'dist/featurelab.js' });
  checkNeutral('dist/featurelab.js');
  // Types beside the bundle, so `import … from './dist/featurelab.js'` is typed (tsc writes dist/types/).
  writeFileSync('dist/featurelab.d.ts', "export * from './types/index.js';\n");
  // The Deno one-liner: one experiment on navigator.gpu (README "Supported runtimes").
  await esbuild.build({ ...sharedOptions, platform: 'neutral', entryPoints: ['src/deno/run.ts'], outfile: 'dist/deno-run.js' });
  checkNeutral('dist/deno-run.js');
  await esbuild.build({
    ...sharedOptions,
    platform: 'node',
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    banner: { js: '#!/usr/bin/env node' },
  });
  // The web page: one browser bundle (same loaders: WGSL as text, .wasm as bytes) beside its html and css.
  mkdirSync('dist/web', { recursive: true });
  await esbuild.build({ ...sharedOptions, platform: 'browser', entryPoints: ['src/web/main.ts'], outfile: 'dist/web/main.js' });
  checkNeutral('dist/web/main.js');
  copyFileSync('src/web/style.css', 'dist/web/style.css');
  writeFileSync('dist/web/index.html', withReportStyleHash(readFileSync('src/web/index.html', 'utf8')));
}

/**
 * The page's html with the report's style sheet admitted by its hash in the CSP's style-src: the page shows the
 * report in a frame (srcdoc), which inherits the page's policy, and the report's <style> is inline.
 */
function withReportStyleHash(html) {
  const hash = createHash('sha256').update(readFileSync('src/report/report.css', 'utf8')).digest('base64');
  const out = html.replace("style-src 'self';", `style-src 'self' 'sha256-${hash}';`);
  if (out === html) throw new Error("build: src/web/index.html has no \"style-src 'self';\" in its Content-Security-Policy for the report's style hash");
  return out;
}
