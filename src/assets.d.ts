/** WGSL sources are bundled as text by esbuild (`--loader:.wgsl=text`). */
declare module '*.wgsl' {
  const source: string;
  export default source;
}
/** WASM modules are bundled as bytes by esbuild (`--loader:.wasm=binary`). */
declare module '*.wasm' {
  const bytes: Uint8Array;
  export default bytes;
}
/** CSS files are bundled as text by esbuild (`--loader:.css=text`): the report's style sheet. */
declare module '*.css' {
  const source: string;
  export default source;
}
