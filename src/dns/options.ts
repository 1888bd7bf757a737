import { domainToASCII } from "node:url";
import ipaddr from "ipaddr.js";
import { InputError } from "../util/errors.ts";
import { isValidDnsName, normalizeName, parseResolverSpec, ResolverSpecError } from "./index.ts";
import type { ResolverSpec } from "./resolver.ts";

/** Letters, digits, hyphen and underscore labels; at least two labels. */
const HOSTNAME = /^[a-z0-9_-]+(\.[a-z0-9_-]+)+$/;

/** A domain option (`--domain`): IDNs become their A-label (punycode) form, as receivers look them up. */
export function domainOption(value: string): string {
  const domain = normalizeName(domainToASCII(value.trim()));
  if (!isValidDnsName(domain) || !HOSTNAME.test(domain))
    throw new InputError(`--domain: "${value}" is not a domain name`);
  return domain;
}

/** `--ip` (repeatable, comma-separated allowed): trimmed, deduplicated, each a valid IPv4/IPv6 address. */
export function ipOptions(values: readonly string[] | undefined): string[] {
  const ips = [
    ...new Set(
      (values ?? [])
        .flatMap((value) => value.split(","))
        .map((value) => value.trim())
        .filter(Boolean),
    ),
  ];
  const bad = ips.find((ip) => !ipaddr.isValid(ip));
  if (bad !== undefined) throw new InputError(`--ip: "${bad}" is not an IP address`);
  return ips;
}

/** `--resolver system|udp://HOST:PORT`; a malformed value is a usage error. */
export function resolverOption(value: string): ResolverSpec {
  try {
    return parseResolverSpec(value);
  } catch (error) {
    if (error instanceof ResolverSpecError) throw new InputError(error.message);
    throw error;
  }
}
