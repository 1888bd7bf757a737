/**
 * Named measures (issue 10): one definition each, used by `stats`, `hygiene`, `diagnose`, `plan` and the
 * reports. docs/MEASURES.md documents every id.
 */
export { MEASURES, type Measure, type MeasureId } from "./catalog.ts";
export * from "./day-counts.ts";
export * from "./definitions.ts";
export { type OpenRules, openRules, SOURCE_AND_HEURISTIC } from "./opens.ts";
export * from "./sent.ts";
