/**
 * Generalization without a held-out split: run what Sisimai's Go edition (github.com/sisimai/go-sisimai,
 * BSD-2-Clause) itself states through our knowledge, and list every disagreement.
 * - reason/why-*.go: each `IncludedIn` phrase (index, and pairs joined by a word) as a reply → the file's reason.
 * - rhost/for-*.go: each `messagesof`/`errorcodes` entry, and each full reply quoted in the comments above it,
 *   as a reply from that host (with the entry's reply code / status where the table gives them) → its key.
 * - lhost/via-*.go: each `messagesof` entry of an MTA family → our family table's reason for the same phrase.
 * - smtp/status/lib.go: each status's reason → our status fallback's.
 * Not in `npm test` (it reads a checkout of go-sisimai): node bench/go-facts.ts --sisimai <go-sisimai dir> [--list]
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { classifyReply } from "../src/bounce/classify.ts";
import { MTA_FAMILIES } from "../src/bounce/dialects/families.ts";
import { PHRASE_TABLES } from "../src/bounce/rules/knowledge.ts";
import { PROVIDER_RULES } from "../src/bounce/rules/provider-rules.ts";
import { statusRule } from "../src/bounce/rules/status-codes.ts";
import { REASONS } from "../src/bounce/vocabulary.ts";

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
  options: { sisimai: { type: "string" }, list: { type: "boolean", default: false } },
});
if (!values.sisimai) {
  console.error("usage: node bench/go-facts.ts --sisimai <go-sisimai checkout> [--list]");
  process.exit(2);
}
const ROOT = values.sisimai;

/** Sisimai's older reason names, as deliverlens (Sisimai 5.6) calls them. */
const RENAMED: Record<string, string> = {
  mesgtoobig: "emailtoolarge",
  exceedlimit: "emailtoolarge",
  speeding: "ratelimited",
  toomanyconn: "ratelimited",
  spandetected: "spamdetected",
};
const reasonName = (name: string): string => RENAMED[name.toLowerCase()] ?? name.toLowerCase();

interface Fact {
  file: string;
  label: string;
  text: string;
  replyCode?: number | null;
  status?: string | null;
  remoteMta?: string | null;
  recipient?: string | null;
}

/** The Go string literals of a block of source ("…" with Go's escapes, which JSON reads for these files). */
function literals(block: string): string[] {
  const found: string[] = [];
  // "…" with Go's escapes (which JSON reads for these files), or a raw `…` string.
  for (const match of block.matchAll(/"((?:[^"\\\n]|\\.)*)"|`([^`]*)`/g)) {
    if (match[2] !== undefined) found.push(match[2]);
    else {
      try {
        found.push(JSON.parse(`"${match[1]}"`));
      } catch {
        found.push(match[1]);
      }
    }
  }
  return found;
}

/** The text from `start` to the brace that closes the first `{` after it. */
function braceBlock(source: string, start: number): string {
  const open = source.indexOf("{", start);
  let depth = 0;
  let inString = false;
  for (let i = open; i < source.length; i++) {
    const c = source[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "/" && source[i + 1] === "/") i = source.indexOf("\n", i);
    else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return source.slice(open, i + 1);
  }
  return source.slice(open);
}

/** Source without `// …` comments (string literals here hold no "//" outside URLs, which comments only have). */
const withoutComments = (block: string): string =>
  block
    .split("\n")
    .map((line) => line.replace(/^\s*\/\/.*$/, "").replace(/\s\/\/\s.*$/, ""))
    .join("\n");

/** Sisimai's aligned fragments as one text: a space between them where neither has one. */
const joinAligned = (fragments: string[]): string =>
  fragments.reduce((text, next) => {
    const left = text === "" || /\s$/.test(text);
    const right = /^\s/.test(next);
    // Both spaced: a word was between them ("mail from " … " refused"); one spaced: adjacent; neither: a space.
    if (text !== "" && left && right) return `${text}kijitora${next}`;
    return left || right ? text + next : `${text} ${next}`;
  }, "");

function reasonFacts(): Fact[] {
  const facts: Fact[] = [];
  const dir = join(ROOT, "reason");
  for (const name of readdirSync(dir).filter((file) => file.startsWith("why-"))) {
    const source = readFileSync(join(dir, name), "utf8");
    const included = /IncludedIn\["(\w+)"\]/.exec(source);
    if (!included) continue;
    const label = reasonName(included[1]);
    const index = source.indexOf("index := []string{");
    if (index >= 0) {
      for (const text of literals(withoutComments(braceBlock(source, index))))
        facts.push({ file: `reason/${name}`, label, text });
    }
    const pairs = source.indexOf("pairs := [][]string{");
    if (pairs >= 0) {
      const block = withoutComments(braceBlock(source, pairs));
      for (const inner of block.matchAll(/\[\]string\{([^}]*)\}/g))
        facts.push({ file: `reason/${name}`, label, text: joinAligned(literals(inner[1])) });
    }
  }
  return facts;
}

/** rhost/lib.go's RhostClass: a class name → its host suffixes. */
function rhostHosts(): Map<string, string[]> {
  const source = readFileSync(join(ROOT, "rhost", "lib.go"), "utf8");
  const hosts = new Map<string, string[]>();
  const block = braceBlock(source, source.indexOf("RhostClass"));
  for (const match of block.matchAll(/"(\w+)":\s*\[\]string\{([^}]*)\}/g))
    hosts.set(match[1], literals(match[2]));
  return hosts;
}

/** Where each rhost file's reader finds a code (its `Select`/label logic), as a reply would carry it. */
const CODE_IN_REPLY: Record<string, (code: string) => string> = {
  "for-cox.go": (code) => `554 5.7.1 Connection refused. AUP#${code} `,
  "for-iua.go": (code) => `550 Message rejected. See https://mail.i.ua/err/${code}/`,
  "for-franceptt.go": (code) => `550 5.5.0 Service refused. LPN007_${code}`,
  "for-godaddy.go": (code) => `554 Message rejected. ${code} `,
};

const REPLY_CODE = /^[245]\d\d$/;
const STATUS = /^[245]\.\d{1,3}\.\d{1,3}$/;

function rhostFacts(): Fact[] {
  const facts: Fact[] = [];
  const hosts = rhostHosts();
  const dir = join(ROOT, "rhost");
  for (const name of readdirSync(dir).filter((file) => file.startsWith("for-"))) {
    const source = readFileSync(join(dir, name), "utf8");
    const className = /ReturnedBy\["(\w+)"\]/.exec(source)?.[1] ?? "";
    const suffix = (hosts.get(className) ?? [""])[0].replace(/^\./, "");
    const remoteMta = suffix.includes(".") && suffix.split(".").length > 2 ? suffix : `mx.${suffix}`;
    const file = `rhost/${name}`;
    for (const table of ["messagesof :=", "errorcodes :="]) {
      const at = source.indexOf(table);
      if (at < 0) continue;
      const block = braceBlock(source, at);
      // map[string]string{"CODE": "reason"}: a provider's code, written where the file's reader looks for it.
      const codeText = CODE_IN_REPLY[name] ?? ((code: string) => `550 ${code}`);
      if (/map\[string\]string\{/.test(source.slice(at, at + 40))) {
        for (const match of withoutComments(block).matchAll(/"([^"]+)":\s*"([^"]+)"/g)) {
          // Either code → reason (Cox, i.ua…) or reason → phrase (KDDI).
          if (Object.hasOwn(REASONS, reasonName(match[1])))
            facts.push({ file, label: reasonName(match[1]), text: match[2], remoteMta });
          else facts.push({ file, label: reasonName(match[2]), text: codeText(match[1]), remoteMta });
        }
        continue;
      }
      // map[string][]string / [][N]string: a key per reason, then its entries (and quoted replies in comments).
      let label = "";
      let quoted: string[] = [];
      let reply = "";
      let pending = "";
      const flush = () => {
        if (reply) quoted.push(reply.replace(/\s+/g, " ").trim());
        reply = "";
      };
      for (const line of block.split("\n")) {
        const key = /^\s*"(\w+)":\s*(?:\[\]|\[\]\[\d\]string|\[\]string)?/.exec(line);
        if (key && /":\s*[[{]/.test(line)) {
          flush();
          for (const text of quoted)
            if (/^[245]\d\d[ -]/.test(text)) facts.push({ file, label, text, remoteMta });
          quoted = [];
          label = reasonName(key[1]);
          continue;
        }
        const comment = /^\s*\/\/\s?(.*)$/.exec(line);
        if (comment) {
          const text = comment[1];
          if (text.startsWith("- ")) {
            flush();
            reply = text.slice(2);
          } else if (reply && text.startsWith("  ") && text.trim()) {
            // The comments wrap words with a hyphen ("pre-" / "vents").
            reply =
              /[a-z]-$/.test(reply) && /^[a-z]/.test(text.trim())
                ? `${reply.slice(0, -1)}${text.trim()}`
                : `${reply} ${text.trim()}`;
          } else flush();
          continue;
        }
        flush();
        if (!label) continue;
        if (pending || (/\[\d\]string\{/.test(line) && !line.includes("}"))) {
          pending += ` ${line}`;
          if (!line.includes("}")) continue;
        }
        const whole = pending || line;
        pending = "";
        const parts = literals(whole.replace(/\s\/\/\s.*$/, ""));
        if (parts.length === 0) continue;
        const tuple = /\[\d\]string\{/.test(whole);
        if (tuple) {
          const text = parts[parts.length - 1];
          const replyCode = parts.find((part) => REPLY_CODE.test(part));
          // Microsoft's [status prefix, first, last, text]: "5.7.", "700", "749" → 5.7.700.
          const status =
            parts.find((part) => STATUS.test(part)) ??
            (/^[245]\.\d{1,3}\.$/.test(parts[0]) && /^\d+$/.test(parts[1])
              ? `${parts[0]}${parts[1]}`
              : undefined);
          if (text)
            facts.push({
              file,
              label,
              text,
              replyCode: replyCode ? Number(replyCode) : null,
              status,
              remoteMta,
            });
        } else for (const text of parts) facts.push({ file, label, text, remoteMta });
      }
      flush();
      for (const text of quoted)
        if (/^[245]\d\d[ -]/.test(text)) facts.push({ file, label, text, remoteMta });
    }
  }
  return facts;
}

/** lhost/via-*.go `messagesof`: an MTA family's own wording → reason, against our family table. */
function lhostFacts(): Array<Fact & { family: string }> {
  const facts: Array<Fact & { family: string }> = [];
  const dir = join(ROOT, "lhost");
  for (const name of readdirSync(dir).filter((file) => file.startsWith("via-"))) {
    const source = readFileSync(join(dir, name), "utf8");
    const at = source.indexOf("messagesof :=");
    if (at < 0) continue;
    const family = name.slice(4, -3);
    const block = withoutComments(braceBlock(source, at));
    for (const match of block.matchAll(/"(\w+)":\s*\[\]string\{([^}]*)\}/g))
      for (const text of literals(match[2]))
        facts.push({ file: `lhost/${name}`, family, label: reasonName(match[1]), text });
  }
  return facts;
}

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

const replyFacts = [...reasonFacts(), ...rhostFacts()];
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
for (const fact of lhostFacts()) {
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
