/**
 * What Sisimai's Go edition (github.com/sisimai/go-sisimai, BSD-2-Clause) states, read from its source: each
 * reason/why-*.go phrase, rhost/for-*.go entry (and reply quoted above it), lhost/via-*.go family message,
 * with the label the file gives it. Read by bench/go-facts.ts (through our classifier) and
 * bench/sisimai-oracle.ts (placed in bounce emails, through Sisimai's Perl edition and ours).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { REASONS } from "../src/bounce/vocabulary.ts";

/** Sisimai's older reason names, as deliverlens (Sisimai 5.6) calls them. */
const RENAMED: Record<string, string> = {
  mesgtoobig: "emailtoolarge",
  exceedlimit: "emailtoolarge",
  speeding: "ratelimited",
  toomanyconn: "ratelimited",
  spandetected: "spamdetected",
};
export const reasonName = (name: string): string => RENAMED[name.toLowerCase()] ?? name.toLowerCase();

export interface Fact {
  file: string;
  label: string;
  text: string;
  replyCode?: number | null;
  status?: string | null;
  remoteMta?: string | null;
  recipient?: string | null;
}

/** The Go string literals of a block of source ("…" with Go's escapes, which JSON reads for these files). */
export function literals(block: string): string[] {
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
export function braceBlock(source: string, start: number): string {
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
export const withoutComments = (block: string): string =>
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

export function reasonFacts(root: string): Fact[] {
  const facts: Fact[] = [];
  const dir = join(root, "reason");
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
export function rhostHosts(root: string): Map<string, string[]> {
  const source = readFileSync(join(root, "rhost", "lib.go"), "utf8");
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
  "for-spectrum.go": (code) =>
    `554 5.7.1 Please see https://www.spectrum.net/support/internet/understanding-email-error-codes for more information. AUP#In-${code}`,
};

const REPLY_CODE = /^[245]\d\d$/;
const STATUS = /^[245]\.\d{1,3}\.\d{1,3}$/;

export function rhostFacts(root: string): Fact[] {
  const facts: Fact[] = [];
  const hosts = rhostHosts(root);
  const dir = join(root, "rhost");
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
        // The replies quoted above a code ("- 550 … OFR_416 [416]", its lines wrapped with two spaces):
        // each one that carries the code, as the host wrote it.
        let bullets: string[] = [];
        for (const line of block.split("\n")) {
          const comment = /^\s*\/\/\s?(.*)$/.exec(line);
          if (comment) {
            const text = comment[1];
            if (text.startsWith("- ")) bullets.push(text.slice(2).trim());
            else if (text.startsWith("  ") && text.trim() && bullets.length > 0)
              bullets[bullets.length - 1] += ` ${text.trim()}`;
            continue;
          }
          const entry = /^\s*"([^"]+)":\s*"(\w+)"/.exec(line);
          if (entry && Object.hasOwn(REASONS, reasonName(entry[2]))) {
            const code = entry[1].toLowerCase();
            for (const text of bullets)
              if (/^[245]\d\d[ -]/.test(text) && text.toLowerCase().includes(code))
                facts.push({ file, label: reasonName(entry[2]), text, remoteMta });
          }
          if (line.trim() === "" || entry) bullets = entry ? [] : bullets;
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
          // A one-line list ("hostunknown": []string{"Host or domain name not found"}): its entries too.
          const inline = /\{(.*)\}/.exec(line.replace(/\s\/\/\s.*$/, ""));
          if (inline) for (const text of literals(inline[1])) facts.push({ file, label, text, remoteMta });
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
        // Spectrum's [first code, last code or "", reason] rows under no key: each end of the range.
        const row = /^\s*\[3\]string\{"(\d{4})",\s*"(\d{4})?",\s*"(\w+)"\}/.exec(line);
        if (!label && row && Object.hasOwn(REASONS, reasonName(row[3]))) {
          const codeText = CODE_IN_REPLY[name] ?? ((code: string) => `550 ${code}`);
          for (const code of [row[1], row[2]].filter(Boolean))
            facts.push({ file, label: reasonName(row[3]), text: codeText(code), remoteMta });
          continue;
        }
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
export function lhostFacts(root: string): Array<Fact & { family: string }> {
  const facts: Array<Fact & { family: string }> = [];
  const dir = join(root, "lhost");
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
