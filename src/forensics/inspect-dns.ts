import { loadBlocklists } from "../audit/blocklist-data.ts";
import { toMailauthResolver } from "../dns/mailauth-adapter.ts";
import { resolverOption } from "../dns/options.ts";
import { createResolver } from "../dns/resolver.ts";
import type { InspectDns } from "./inspect.ts";

/**
 * The DNS `inspectMessage` asks when online: one resolver (`system` or `udp://HOST:PORT`) for its own
 * checks and mailauth's, and the built-in blocklists (or the data file `blocklists`). A malformed spec
 * throws InputError.
 */
export async function inspectDns(spec = "system", blocklists?: string): Promise<InspectDns> {
  const resolver = createResolver(resolverOption(spec));
  return { resolver, mailauth: toMailauthResolver(resolver), blocklists: await loadBlocklists(blocklists) };
}
