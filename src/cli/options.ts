import { listedRecipientDomains } from "../bounce/provider.ts";
import { PROVIDERS, type Provider } from "../bounce/vocabulary.ts";
import { isCalendarDay } from "../util/dates.ts";
import { UsageError } from "./exit.ts";

/** The one store every command reads and writes unless `--db` says otherwise. */
export const DEFAULT_STORE = "./deliverlens.duckdb";

/**
 * Names people use for a provider besides its id: its mailbox domains (`icloud.com`) and their first
 * label (`icloud`, `gmail`, `hotmail`), from the same sourced domain table the classifier uses.
 */
function providerAliases(): Map<string, Provider> {
  const aliases = new Map<string, Provider>();
  for (const { domain, provider } of listedRecipientDomains()) {
    aliases.set(domain, provider as Provider);
    const label = domain.split(".")[0];
    if (!aliases.has(label)) aliases.set(label, provider as Provider);
  }
  for (const id of PROVIDERS) aliases.set(id, id);
  return aliases;
}

/** `--provider`: an id, a mailbox domain or its name, in any case; anything else is a usage error. */
export function providerOption(value: string): Provider;
export function providerOption(value: string | undefined): Provider | undefined;
export function providerOption(value: string | undefined): Provider | undefined {
  if (value === undefined) return undefined;
  const aliases = providerAliases();
  const key = value.trim().toLowerCase();
  const provider = aliases.get(key);
  if (provider) return provider;
  const near = [...aliases.keys()].find((alias) => editDistance(alias, key) <= 2);
  const hint = near ? ` (did you mean ${aliases.get(near)}?)` : "";
  throw new UsageError(
    `--provider: unknown provider "${value}"${hint}; use one of ${PROVIDERS.filter((p) => p !== "unknown").join(", ")} (or a mailbox domain such as icloud.com)`,
  );
}

export function dayOption(flag: string, value: string | undefined): string | undefined {
  if (value !== undefined && !isCalendarDay(value))
    throw new UsageError(`${flag} must be a date (YYYY-MM-DD): ${value}`);
  return value;
}

/** `--from`/`--to`: calendar days, the first not after the second. */
export function windowOptions(from: string | undefined, to: string | undefined): void {
  dayOption("--from", from);
  dayOption("--to", to);
  if (from !== undefined && to !== undefined && from > to)
    throw new UsageError(`--from ${from} is after --to ${to}`);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
    }
    previous = current;
  }
  return previous[b.length];
}
