export { SEVERITIES, SEVERITY_POINTS, type Severity } from "../util/severity.ts";
export { FINDING_KINDS, type FindingKind } from "./catalog.ts";
export { CONTENT_LIMITS, type ContentSection } from "./content/section.ts";
export { AREAS, type Area, type Finding } from "./finding.ts";
export {
  INSPECT_SCHEMA_VERSION,
  type InspectDns,
  type InspectOptions,
  type InspectReport,
  inspectMessage,
} from "./inspect.ts";
