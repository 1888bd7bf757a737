import net from "node:net";
import type { ResolverSpec } from "./resolver.ts";

/** Thrown for a `--resolver` value that is not `system` or `udp://HOST:PORT`; the CLI reports it as a usage error. */
export class ResolverSpecError extends Error {}

/** Parse `--resolver system|udp://HOST[:PORT]` (HOST an IP literal; IPv6 in brackets; PORT defaults to 53). */
export function parseResolverSpec(text: string): ResolverSpec {
  const value = text.trim();
  if (value === "system") return { mode: "system" };
  const match = /^udp:\/\/(?:\[([0-9a-fA-F:.]+)\]|([0-9.]+))(?::(\d{1,5}))?\/?$/.exec(value);
  if (!match) {
    throw new ResolverSpecError(
      `--resolver must be "system" or "udp://HOST:PORT" with an IP address, got "${value}"`,
    );
  }
  const host = match[1] ?? match[2];
  const port = match[3] === undefined ? 53 : Number(match[3]);
  if (net.isIP(host) === 0) throw new ResolverSpecError(`--resolver: "${host}" is not an IP address`);
  if (port < 1 || port > 65535) throw new ResolverSpecError(`--resolver: port ${port} is out of range`);
  return { mode: "udp", host, port };
}
