export { type MailauthResolver, toMailauthResolver } from "./mailauth-adapter.ts";
export { isValidDnsName, normalizeName, reversedIp, reverseName } from "./names.ts";
export {
  createResolver,
  describeSpec,
  RESOLVER_DEFAULTS,
  type ResolverOptions,
  type ResolverSpec,
} from "./resolver.ts";
export { parseResolverSpec, ResolverSpecError } from "./resolver-spec.ts";
export type * from "./types.ts";
export { FAILURE_REASONS, isNoRecord, RECORD_TYPES } from "./types.ts";
export {
  answerFromZones,
  chunk,
  indexZones,
  ZONE_FAULTS,
  type ZoneData,
  type ZoneFault,
  type ZoneNode,
} from "./zones.ts";
