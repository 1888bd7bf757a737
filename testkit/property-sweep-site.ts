/** What testkit/fast-check-sweep.ts writes per fc.assert call site, one JSON line each, and bench/property-seeds.ts reads. */
export interface Failure {
  seed: number;
  runs: number;
  shrinks: number;
  path: string | null;
  counterexample: string;
  error: string;
}

export interface Site {
  file: string;
  lines: string;
  calls: number;
  ownFailed: number;
  seeds: number;
  cases: number;
  seconds: number;
  failures: Failure[];
  failingSeeds: number[];
}
