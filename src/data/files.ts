/**
 * The file-reading adapter the data layer uses. Nothing in src/ below the CLI and the web page touches the
 * file system or the network: loaders take a FileSource, and each surface passes its own (the Node CLI
 * passes nodeFileSource() from src/cli/nodeFiles.ts; the web page passes pickedFileSource() over the files the
 * user picked, src/data/pickedFiles.ts).
 */

/** Reads whole files by path; `join` builds paths in the source's own syntax. */
export interface FileSource {
  /** The whole file's bytes; rejects when it cannot be read. */
  read(path: string): Promise<Uint8Array>;
  /** Whether a file exists at `path` (false rather than an error when it does not). */
  exists(path: string): Promise<boolean>;
  /** Joins path segments, e.g. join(dir, 'train-images-idx3-ubyte.gz'). */
  join(...parts: string[]): string;
}
