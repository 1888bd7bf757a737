/**
 * Generalization without a held-out split: run what Sisimai's Go edition (github.com/sisimai/go-sisimai,
 * BSD-2-Clause) itself states through our knowledge, and list every disagreement.
 * - reason/why-*.go: each `IncludedIn` phrase (index, and pairs joined by a word) as a reply → the file's reason.
 * - rhost/for-*.go: each `messagesof`/`errorcodes` entry, and each full reply quoted in the comments above it,
 *   as a reply from that host (with the entry's reply code / status where the table gives them) → its key.
 * - lhost/via-*.go: each `messagesof` entry of an MTA family → our family table's reason for the same phrase.
 * - smtp/status/lib.go: each status's reason → our status fallback's.
 * - --variants: each rhost fact again as the same host's reply seen otherwise — from each other host Sisimai's
 *   RhostClass names for it, to a recipient of its mail domain with no host (Sisimai's first lookup), inside a
 *   Postfix "host … said: … (in reply to RCPT TO command)" line — agreeing when the verdict is the label's or
 *   the one the fact itself gets (a knowing difference stays one, not a second miss).
 * Not in `npm test` (it reads a checkout of go-sisimai): node bench/go-facts.ts --sisimai <go-sisimai dir> [--list]
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { classifyReply } from "../src/bounce/classify.ts";
import { MTA_FAMILIES } from "../src/bounce/dialects/families.ts";
import { PHRASE_TABLES } from "../src/bounce/rules/knowledge.ts";
import { PROVIDER_RULES } from "../src/bounce/rules/provider-rules.ts";
import { statusRule } from "../src/bounce/rules/status-codes.ts";
import {
  braceBlock,
  type Fact,
  lhostFacts,
  reasonFacts,
  reasonName,
  rhostFacts,
  rhostHosts,
  withoutComments,
} from "./go-facts-source.ts";

/**
 * Where our tables knowingly differ from Sisimai: a provider rule (the provider's own documented meaning,
 * src/bounce/rules/*.ts) or a phrase rule with a `note` saying which page overrides Sisimai.
 */
const PROVIDER_RULE_IDS = new Set(PROVIDER_RULES.map((rule) => rule.id));
const NOTED_RULE_IDS = new Set(
  PHRASE_TABLES.flatMap((table) =>
    table.rules.filter((rule) => rule.note !== undefined).map((rule) => rule.id),
  ),
);

const { values } = parseArgs({
  options: {
    sisimai: { type: "string" },
    list: { type: "boolean", default: false },
    variants: { type: "boolean", default: false },
  },
});
if (!values.sisimai) {
  console.error("usage: node bench/go-facts.ts --sisimai <go-sisimai checkout> [--list] [--variants]");
  process.exit(2);
}
const ROOT = values.sisimai;

/** Our family of that Go file (ids are the file's name, or close to it; Google Workspace's is gmail's sender). */
const FAMILY_OF = new Map(MTA_FAMILIES.map((family) => [family.id.replace(/[^a-z0-9]/g, ""), family]));
const gmail = FAMILY_OF.get("gmail");
if (gmail) FAMILY_OF.set("googleworkspace", gmail);

/**
 * A phrase several why-*.go files list (or one rhost table lists under several keys: Go's map order then
 * decides) has each of those labels; agreeing with any of them is agreeing. Sisimai's onhold and our
 * undefined both say "no verdict".
 */
const labelsOf = new Map<string, Set<string>>();
const keyOf = (fact: Fact) =>
  `${fact.file.startsWith("reason/") ? "reason" : fact.file}\t${fact.text.trim()}`;
const agreesWith = (fact: Fact, got: string) =>
  got === fact.label ||
  (labelsOf.get(keyOf(fact))?.has(got) ?? false) ||
  (fact.label === "onhold" && got === "undefined");

let agree = 0;
let decided = 0;
const disagreements: string[] = [];
const count = new Map<string, [number, number]>();
const tally = (kind: string, ok: boolean) => {
  const [yes, all] = count.get(kind) ?? [0, 0];
  count.set(kind, [yes + (ok ? 1 : 0), all + 1]);
};

/** A bare phrase inside a reply: words around the spaces it begins or ends with. */
const inReply = (text: string): string =>
  /^[245]\d\d[ -]/.test(text)
    ? text
    : `${text.startsWith(" ") ? "kijitora" : ""}${text}${text.endsWith(" ") ? "kijitora" : ""}`;

const replyFacts = [...reasonFacts(ROOT), ...rhostFacts(ROOT)];
for (const fact of replyFacts) {
  const labels = labelsOf.get(keyOf(fact)) ?? new Set<string>();
  labelsOf.set(keyOf(fact), labels.add(fact.label));
}
for (const fact of replyFacts) {
  const got = classifyReply({
    text: inReply(fact.text),
    replyCode: fact.replyCode ?? null,
    status: fact.status ?? null,
    remoteMta: fact.remoteMta ?? null,
    recipient: fact.recipient ?? null,
  });
  const ok = agreesWith(fact, got.reason);
  tally(fact.file.split("/")[0], ok);
  const knowingly = PROVIDER_RULE_IDS.has(got.rule.id) || NOTED_RULE_IDS.has(got.rule.id);
  if (ok) agree++;
  else if (knowingly) decided++;
  if (!ok)
    disagreements.push(
      `${knowingly ? "(provider's page) " : ""}${fact.file}\t${fact.label}\t→ ${got.reason} (${got.rule.id})\t${JSON.stringify(fact.text)}${fact.status ? ` status ${fact.status}` : ""}${fact.replyCode ? ` reply ${fact.replyCode}` : ""}${fact.remoteMta ? ` from ${fact.remoteMta}` : ""}`,
    );
}
for (const fact of lhostFacts(ROOT)) {
  const family = FAMILY_OF.get(fact.family);
  const collapsed = (text: string) => text.replace(/\s+/g, " ");
  const ours = family?.messages.find((message) => collapsed(fact.text).includes(collapsed(message.phrase)));
  const got = ours?.reason ?? classifyReply({ text: fact.text }).reason;
  const ok = got === fact.label || (fact.label === "onhold" && got === "undefined");
  tally("lhost", ok);
  if (ok) agree++;
  else
    disagreements.push(
      `${fact.file}\t${fact.label}\t→ ${got} (${family ? (ours ? `family ${family.id}` : `not in family ${family.id}: generic`) : "no such family: generic"})\t${JSON.stringify(fact.text)}`,
    );
}

// smtp/status/lib.go Name(): a status's reason when nothing else decides (our status fallback).
const statusSource = readFileSync(join(ROOT, "smtp", "status", "lib.go"), "utf8");
const named = braceBlock(statusSource, statusSource.indexOf("standardcr := map[string]string{"));
for (const match of withoutComments(named).matchAll(/"([245]\.\d{1,3}\.\d{1,3})":\s*"(\w+)"/g)) {
  const got = statusRule(match[1])?.reason ?? "undefined";
  const ok = got === reasonName(match[2]);
  tally("status", ok);
  if (ok) agree++;
  else disagreements.push(`smtp/status/lib.go\t${reasonName(match[2])}\t→ ${got}\tstatus ${match[1]}`);
}

const total = agree + disagreements.length;
for (const [kind, [yes, all]] of count) console.log(`${kind}: ${yes}/${all} agree`);
console.log(`go-file facts: ${agree}/${total} = ${((100 * agree) / total).toFixed(2)} % agree`);
console.log(
  `of the ${disagreements.length} others, ${decided} are decided by a provider rule or a noted rule (the provider's page over Sisimai)`,
);
if (values.list) for (const line of disagreements) console.log(line);
else console.log(`(${disagreements.length} disagreements: --list prints them)`);
if (values.variants) variants();

/** The mail domain a host suffix of Sisimai's RhostClass stands for (.mail.icloud.com → icloud.com, .ezweb.ne.jp). */
function mailDomain(suffix: string): string {
  const labels = suffix.replace(/^\./, "").split(".");
  const short = labels.length >= 3 && labels.at(-1)?.length === 2 && (labels.at(-2)?.length ?? 0) <= 3;
  return labels.slice(short ? -3 : -2).join(".");
}

function variants(): void {
  const hosts = rhostHosts(ROOT);
  const classOf = (file: string) =>
    [...hosts.keys()].find((name) => `rhost/for-${name.toLowerCase()}.go` === file) ?? "";
  const tallies = new Map<string, [number, number]>();
  const misses: string[] = [];
  for (const fact of rhostFacts(ROOT)) {
    const base = { replyCode: fact.replyCode ?? null, status: fact.status ?? null };
    const own = classifyReply({
      ...base,
      text: inReply(fact.text),
      remoteMta: fact.remoteMta ?? null,
    }).reason;
    const suffixes = hosts.get(classOf(fact.file)) ?? [];
    const seen: Array<[string, { text: string; remoteMta: string | null; recipient: string | null }]> = [
      ...suffixes.map((suffix): [string, { text: string; remoteMta: string; recipient: null }] => [
        "another host of its class",
        { text: inReply(fact.text), remoteMta: `mx01.${suffix.replace(/^\./, "")}`, recipient: null },
      ]),
      ...[...new Set(suffixes.map(mailDomain))].map(
        (domain): [string, { text: string; remoteMta: null; recipient: string }] => [
          "a recipient of its domain, no host",
          { text: inReply(fact.text), remoteMta: null, recipient: `kijitora@${domain}` },
        ],
      ),
      [
        "in a Postfix log line",
        {
          text: `host ${fact.remoteMta}[192.0.2.1] said: ${inReply(fact.text)} (in reply to RCPT TO command)`,
          remoteMta: null,
          recipient: null,
        },
      ],
    ];
    for (const [kind, input] of seen) {
      const got = classifyReply({ ...base, ...input }).reason;
      const ok = got === own || agreesWith(fact, got);
      const [yes, all] = tallies.get(kind) ?? [0, 0];
      tallies.set(kind, [yes + (ok ? 1 : 0), all + 1]);
      if (!ok)
        misses.push(
          `${kind}\t${fact.file}\t${fact.label}\t→ ${got} (at its host: ${own})\t${JSON.stringify(input)}`,
        );
    }
  }
  for (const [kind, [yes, all]] of tallies) console.log(`variant, ${kind}: ${yes}/${all} agree`);
  if (values.list) for (const line of misses) console.log(line);
}
