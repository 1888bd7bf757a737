import { readdirSync, statSync } from "node:fs";

/** A rule table entry's example reply, with what the classifier reads besides it. */
export interface RuleExample {
  where: string;
  text: string;
  remoteMta: string | null;
  recipient: string | null;
}

/**
 * Every `example` in every table under src/bounce/rules (whatever their shape: walked generically, so
 * tables added later are covered), with the host of a host-scoped table and an entry's example recipient.
 */
export async function ruleExamples(): Promise<RuleExample[]> {
  const root = new URL("../src/bounce/rules/", import.meta.url);
  const files: URL[] = [];
  const walk = (dir: URL) => {
    for (const name of readdirSync(dir)) {
      const url = new URL(name, dir);
      if (statSync(url).isDirectory()) walk(new URL(`${name}/`, dir));
      else if (name.endsWith(".ts")) files.push(url);
    }
  };
  walk(root);
  const found: RuleExample[] = [];
  const seen = new Set<unknown>();
  const visit = (value: unknown, where: string, host: string | null) => {
    if (typeof value !== "object" || value === null || seen.has(value)) return;
    seen.add(value);
    if (Array.isArray(value)) {
      for (const [i, item] of value.entries()) visit(item, `${where}[${i}]`, host);
      return;
    }
    const record = value as Record<string, unknown>;
    const hosts = Array.isArray(record.hosts) && typeof record.hosts[0] === "string" ? record.hosts[0] : null;
    const scope = hosts ?? host;
    if (typeof record.example === "string") {
      found.push({
        where: `${where}${typeof record.id === "string" ? ` ${record.id}` : ""}`,
        text: record.example,
        remoteMta: scope,
        recipient: typeof record.exampleRecipient === "string" ? record.exampleRecipient : null,
      });
    }
    for (const [key, inner] of Object.entries(record)) visit(inner, `${where}.${key}`, scope);
  };
  for (const file of files) {
    const module = (await import(file.href)) as Record<string, unknown>;
    for (const [name, value] of Object.entries(module))
      visit(value, `${file.pathname.split("/rules/")[1]}:${name}`, null);
  }
  return found;
}
