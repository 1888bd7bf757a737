export type Artifact = "classify" | "ingest";

/** What the build wrote: the output (the blob), the Node that built it, each input's stamp. */
export interface BuildManifest {
  node: string;
  arch: string;
  /** The real path of the checkout it was built in: the bundle holds its modules' absolute URLs. */
  root: string;
  output: string;
  outputBytes: number;
  /** Inputs relative to the repository root: [path, size, mtimeMs, ctimeMs]. */
  inputs: [string, number, number, number][];
  /** Environment variables the modules read while the snapshot was built, with their values then (null: unset). */
  env: Record<string, string | null>;
}

export declare const MANIFESTS: Record<Artifact, string>;
/** Set to 0 to run the plain modules instead of the artifact. */
export declare const SWITCHES: Record<Artifact, string>;
/** The repository root. */
export declare const packageRoot: string;
/** Where the build puts its output: node_modules/.cache/deliverlens (or DELIVERLENS_CACHE_DIR, for tests). */
export declare function buildCacheDir(): string;
/** The input's [size, mtimeMs, ctimeMs] as the manifest records it, or null when it cannot be read. */
export declare function inputStamp(path: string): [number, number, number] | null;
/** The snapshot's blob, or null: none built, built by another Node, a source changed since, or turned off. */
export declare function freshArtifact(kind: Artifact, dir?: string): string | null;
