/**
 * fast-check as the test files see it under `bench/property-seeds.ts` (testkit/property-sweep.ts puts this module
 * in place of "fast-check"). Everything is fast-check's own, except:
 * - `assert` first runs as the test wrote it (same seed, same outcome), then checks the same property again from
 *   each seed of PROPERTY_SWEEP (`FIRST:COUNT`), within PROPERTY_SWEEP_SECONDS per call site, and appends what
 *   it found per call site (seeds run, cases, failing seeds with their counterexamples) to PROPERTY_SWEEP_OUT;
 * - `sample` draws from a seed mixed with PROPERTY_SAMPLE_SEED when that is set, so a test built on samples
 *   (a generated log, a generated program) sees another input in each process.
 * A property's own `seed` is replaced in the sweep: the point is cases its author never saw.
 */
import { appendFileSync } from "node:fs";
import type { Arbitrary, IRawProperty, RunDetails, Parameters as RunParameters } from "fast-check";
import real from "fast-check";
import type { Site } from "./property-sweep-site.ts";

export * from "fast-check";

const KEPT_FAILURES = 3;
const TEXT_LIMIT = 600;

function sweepSeeds(): number[] {
  const spec = process.env.PROPERTY_SWEEP;
  if (spec === undefined || spec === "") return [];
  const [first, count] = spec.split(":").map(Number);
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(count) || count < 0)
    throw new Error(`PROPERTY_SWEEP must be FIRST:COUNT, got ${JSON.stringify(spec)}`);
  return Array.from({ length: count }, (_, i) => first + i);
}

const SEEDS = sweepSeeds();
const BUDGET_MS = Number(process.env.PROPERTY_SWEEP_SECONDS ?? 30) * 1000;
const OUT = process.env.PROPERTY_SWEEP_OUT;
const SAMPLE_SEED = process.env.PROPERTY_SAMPLE_SEED;
const sites = new Map<string, Site>();

process.on("exit", () => {
  if (OUT === undefined) return;
  for (const site of sites.values()) appendFileSync(OUT, `${JSON.stringify(site)}\n`);
});

/** The call site in the test file: every frame of the first file outside fast-check and this module. */
function callSite(): { file: string; lines: string } {
  const frames = (new Error().stack ?? "")
    .split("\n")
    .map((line) => /\(?((?:file:\/\/)?\/[^():]+):(\d+):\d+\)?$/.exec(line.trim()))
    .filter((match) => match !== null)
    .filter((match) => !match[1].endsWith("/fast-check-sweep.ts") && !match[1].includes("/node_modules/"));
  const file = frames[0]?.[1].replace(/^file:\/\//, "") ?? "?";
  const lines = frames
    .filter((match) => match[1].replace(/^file:\/\//, "") === file)
    .map((match) => match[2])
    .join("<");
  return { file, lines };
}

function siteOf(): Site {
  const { file, lines } = callSite();
  const key = `${file}:${lines}`;
  let site = sites.get(key);
  if (site === undefined) {
    site = {
      file,
      lines,
      calls: 0,
      ownFailed: 0,
      seeds: 0,
      cases: 0,
      seconds: 0,
      failures: [],
      failingSeeds: [],
    };
    sites.set(key, site);
  }
  site.calls++;
  return site;
}

function clip(text: string): string {
  return text.length > TEXT_LIMIT ? `${text.slice(0, TEXT_LIMIT)}…` : text;
}

function note<Ts>(site: Site, details: RunDetails<Ts>): void {
  site.seeds++;
  site.cases += details.numRuns;
  if (!details.failed) return;
  site.failingSeeds.push(details.seed);
  if (site.failures.length >= KEPT_FAILURES) return;
  const error =
    details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  site.failures.push({
    seed: details.seed,
    runs: details.numRuns,
    shrinks: details.numShrinks,
    path: details.counterexamplePath,
    counterexample: clip(real.stringify(details.counterexample)),
    error: clip(error),
  });
}

function sweepParams<Ts>(params: RunParameters<Ts> | undefined, seed: number): RunParameters<Ts> {
  const { path: _path, reporter: _reporter, asyncReporter: _asyncReporter, ...rest } = params ?? {};
  return { ...rest, seed };
}

function sweepSync<Ts>(site: Site, property: IRawProperty<Ts>, params: RunParameters<Ts> | undefined): void {
  const start = performance.now();
  for (const seed of SEEDS) {
    if (performance.now() - start > BUDGET_MS) break;
    note(site, real.check(property, sweepParams(params, seed)) as RunDetails<Ts>);
  }
  site.seconds += (performance.now() - start) / 1000;
}

async function sweepAsync<Ts>(site: Site, property: IRawProperty<Ts>, params: RunParameters<Ts> | undefined) {
  const start = performance.now();
  for (const seed of SEEDS) {
    if (performance.now() - start > BUDGET_MS) break;
    note(site, await real.check(property, sweepParams(params, seed)));
  }
  site.seconds += (performance.now() - start) / 1000;
}

export function assert<Ts>(property: IRawProperty<Ts>, params?: RunParameters<Ts>): Promise<void> | void {
  if (SEEDS.length === 0) return real.assert(property, params);
  const site = siteOf();
  if (property.isAsync())
    return (async () => {
      try {
        await real.assert(property, params);
      } catch (error) {
        site.ownFailed++;
        throw error;
      } finally {
        await sweepAsync(site, property, params);
      }
    })();
  try {
    real.assert(property, params);
  } catch (error) {
    site.ownFailed++;
    throw error;
  } finally {
    sweepSync(site, property, params);
  }
}

/** A sample's seed mixed with the process's, so two samples of one file still differ from each other. */
function mixed(seed: number | undefined): number {
  return (Math.imul((seed ?? 0) ^ 0x9e3779b9, 0x85ebca6b) + Number(SAMPLE_SEED)) | 0;
}

export function sample<Ts>(
  generator: IRawProperty<Ts> | Arbitrary<Ts>,
  params?: RunParameters<Ts> | number,
): Ts[] {
  if (SAMPLE_SEED === undefined || SAMPLE_SEED === "") return real.sample(generator, params);
  const own = typeof params === "number" ? { numRuns: params } : (params ?? {});
  return real.sample(generator, { ...own, seed: mixed(own.seed) });
}

export default { ...real, assert, sample };
