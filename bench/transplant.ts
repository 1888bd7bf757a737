/**
 * Rewriting a real bounce from the Sisimai corpus so it reports another reply: for the benches that read the
 * same MTA sample with many replies (bench/sisimai-oracle.ts, bench/corpus-variants.ts). Not in `npm test`.
 * The reply to replace is found by the sample's own lines, never by what deliverlens reads from it: a change
 * of our readers does not change which samples are rewritten, nor how.
 */

/** A run of reply lines read as one reply: each line's continuation mark ("550-5.1.1 …") dropped after the first. */
const joined = (lines: readonly string[]): string =>
  lines
    .map((line, i) => (i === 0 ? line : line.replace(/^[245]\d\d[- ](?:[245]\.\d{1,3}\.\d{1,3}\s+)?/, "")))
    .join(" ")
    .replace(/\s+/g, " ")
    .trim();

/** A field's value with its folded lines (RFC 5322 §2.2.3). */
function unfolded(lines: readonly string[], start: number): { text: string; end: number } {
  let end = start + 1;
  while (end < lines.length && /^[ \t]+\S/.test(lines[end])) end++;
  return { text: lines.slice(start, end).join(" "), end };
}

/** Consecutive Sendmail transcript lines of a remote reply ("<<< 550-…", "<<< 550 …"), as [first, end). */
function transcriptRuns(lines: readonly string[]): [number, number][] {
  const runs: [number, number][] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*<<<\s+[245]\d\d\b/.test(lines[i])) continue;
    let end = i + 1;
    while (end < lines.length && /^\s*<<<\s+[245]\d\d\b/.test(lines[end])) end++;
    runs.push([i, end]);
    i = end - 1;
  }
  return runs;
}

const runText = (lines: readonly string[], [first, end]: [number, number]): string =>
  joined(lines.slice(first, end).map((line) => line.replace(/^\s*<<<\s+/, "")));

/**
 * After Postfix's or qmail's "said:", Exim's "SMTP error from remote mail server after …:" or Gmail's "The error
 * that the other server returned was:" the reply follows.
 */
const INTRODUCER =
  /^(.*?(?:\bsaid:|\bSMTP error from remote mail server after [^:]*(?::<[^>]*>)?[^:]*:|\bthe other server returned was:))\s*(.*)$/i;

/**
 * The reply an introducer's line starts: the rest of its line (or, when that is empty, the next line) and the
 * lines that continue it (indented, or a multi-line reply's next "550-…" lines, as qmail writes them), without Exim's "host <name> [<ip>]: " and Postfix's "(in reply to … command)".
 */
function introduced(lines: readonly string[], at: number, rest: string): string {
  const parts = rest ? [rest] : [lines[at + 1] ?? ""];
  const continues = (line: string) => /^[ \t]+\S/.test(line) || /^[45]\d\d[ -]/.test(line);
  for (let i = at + (rest ? 1 : 2); i < lines.length && continues(lines[i]); i++) parts.push(lines[i]);
  return parts
    .join(" ")
    .replace(/\s+/g, " ")
    .trim()
    .replace(/^host \S+ \[[^\]]*\]:\s*/i, "")
    .replace(/\s*\(in reply to [^)]*\)[\s\S]*$/i, "");
}

/** A recipient that heads its own line's failure (OpenSMTPD's "a@b: 550 …", "a@b: Network error …"). */
const RECIPIENT_HEAD = /^\s*<?[^\s<>@]+@[^\s<>:]+>?:\s+/;

/** A line that starts with a reply code (Yahoo's "550: …" too), perhaps after its recipient. */
const REPLY_LINE = new RegExp(`^(?:${RECIPIENT_HEAD.source.slice(1)})?\\s*[45]\\d\\d(?:[ -]|:\\s)\\S`);

/**
 * The first recipient's reply as the sample itself writes it: its DSN's first Diagnostic-Code (RFC 3464
 * §2.3.6), else the first remote reply of a Sendmail transcript ("<<< 5xx …"), else the reply an introducer
 * starts (INTRODUCER), else the first line that starts with a 4xx/5xx reply code (RFC 5321 §4.2: Gmail's "The
 * error that the other server returned was:", DragonFly's "… did not like our RCPT TO:") with its multi-line
 * reply's other lines.
 */
function replyOf(lines: readonly string[]): string | null {
  // (SendGrid writes the reply with no diagnostic type before it.)
  const field = lines.findIndex((line) => /^Diagnostic-Code:/i.test(line));
  if (field >= 0) return unfolded(lines, field).text.replace(/^Diagnostic-Code:\s*(?:[\w-]+\s*;)?/i, "");
  const [run] = transcriptRuns(lines);
  if (run) return runText(lines, run);
  for (let i = 0; i < lines.length; i++) {
    const found = INTRODUCER.exec(lines[i]);
    if (found) return introduced(lines, i, found[2]);
  }
  const coded = lines.findIndex((line) => REPLY_LINE.test(line));
  if (coded < 0) return null;
  let end = coded + 1;
  while (end < lines.length && REPLY_LINE.test(lines[end])) end++;
  return lines
    .slice(coded, end)
    .map((line) => line.replace(RECIPIENT_HEAD, ""))
    .join(" ");
}

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The report's Status fields say `status` (a sample's 5.1.1 would say more than the message does). */
const withStatus = (line: string, status: string): string =>
  // (Its comment too: Sun Messaging Server's "Status: 5.2.2 (Remote SMTP server has rejected address)".)
  /^Status:\s*[245]\.\d{1,3}\.\d{1,3}\b/i.test(line)
    ? `Status: ${status}${line.endsWith("\r") ? "\r" : ""}`
    : line;

/**
 * Every copy of the sample's own reply replaced — wrapped or folded anywhere between its words — and every
 * transcript run that writes it.
 */
function replyReplaced(raw: readonly string[], lines: readonly string[], reply: string, message: string) {
  let replaced = 0;
  const out: string[] = [];
  let at = 0;
  for (const run of transcriptRuns(lines)) {
    out.push(...raw.slice(at, run[0]));
    if (runText(lines, run) === reply) {
      out.push(raw[run[0]].replace(/<<<.*?(\r?)$/, `<<< ${message}$1`));
      replaced++;
    } else out.push(...raw.slice(run[0], run[1]));
    at = run[1];
  }
  out.push(...raw.slice(at));
  const everyCopy = new RegExp(reply.split(" ").map(escaped).join("\\s+"), "g");
  const text = out.join("\n").replace(everyCopy, () => {
    replaced++;
    return message;
  });
  return { text, replaced };
}

/**
 * The lines that are part of the diagnostic Sisimai's Perl edition reads from the sample (a dialect whose
 * failure is its own wording, not a reply: KDDI's "As their mailbox is full", Notes' failure reasons): the
 * first line of each run gets the message, the others of the run are dropped.
 */
function diagnosticReplaced(raw: readonly string[], diagnostic: string, message: string) {
  const squeezed = diagnostic.replace(/\s+/g, " ");
  const out: string[] = [];
  let replaced = 0;
  let inRun = false;
  for (const line of raw) {
    const field = /^(Diagnostic-Code:\s*[^;]*;\s*)(.*?)\r?$/i.exec(line);
    const head = field?.[1] ?? RECIPIENT_HEAD.exec(line)?.[0] ?? /^\s*/.exec(line)?.[0] ?? "";
    const body = field?.[2] ?? line.slice(head.length).trim();
    const part = body.replace(/\s+/g, " ").trim();
    // A multi-line reply's continuation ("550-5.1.1 …") is read without its code and status.
    const text = part.replace(/^(?:[245]\d\d[- ])?(?:[245]\.\d{1,3}\.\d{1,3}\s)?/, "");
    if ((part.length >= 8 && squeezed.includes(part)) || (text.length >= 8 && squeezed.includes(text))) {
      if (!inRun) out.push(`${head}${message}`);
      inRun = true;
      replaced++;
      continue;
    }
    inRun = false;
    out.push(line);
  }
  return { text: out.join("\n"), replaced };
}

/**
 * A report of a local program's exit (X-Unix, a pipe as the recipient, Exim's "pipe to |/path" line): another
 * thing than a reply.
 */
const PROGRAM_EXIT = /^(?:Diagnostic-Code:\s*x-unix|Final-Recipient:[^;\n]*;\s*\||\s*pipe to \|)/im;

/** A part's transfer encoding that hides its text from the lines (RFC 2045 §6.7, §6.8). */
const ENCODING = /^Content-Transfer-Encoding:\s*(quoted-printable|base64)\s*$/i;

/** Quoted-printable text decoded (RFC 2045 §6.7): soft line breaks joined, each =XX one byte (a latin1 character). */
const fromQuotedPrintable = (body: string): string =>
  body
    .replace(/=\r?\n/g, "")
    .replace(/=([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));

/**
 * The sample with every transfer-encoded text part (the message itself, or a MIME part: a header block at the
 * top or after a boundary line, of Content-Type text/* or none) decoded in place and marked 8bit, so its reply
 * is in the lines as Sisimai reads it. The sample itself when nothing is encoded.
 */
function decoded(sample: string): string {
  if (!/^Content-Transfer-Encoding:\s*(?:quoted-printable|base64)/im.test(sample)) return sample;
  const boundaries = [...sample.matchAll(/boundary="?([^";\s]+)"?/gi)].map((found) => `--${found[1]}`);
  const isBoundary = (line: string) => boundaries.some((boundary) => line.startsWith(boundary));
  const lines = sample.split("\n");
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    // A header block: the message's own, or a part's after its boundary line.
    const start = i;
    while (i < lines.length && lines[i].replace(/\r$/, "") !== "" && !isBoundary(lines[i])) i++;
    const block = lines.slice(start, i);
    const encoding = block.map((line) => ENCODING.exec(line.replace(/\r$/, ""))?.[1]).find(Boolean);
    const type = block.find((line) => /^Content-Type:/i.test(line)) ?? "Content-Type: text/plain";
    let end = i < lines.length && !isBoundary(lines[i]) ? i + 1 : i;
    while (end < lines.length && !isBoundary(lines[end])) end++;
    if (encoding && /^Content-Type:\s*text\//i.test(type) && end > i) {
      out.push(
        ...block.map((line) =>
          ENCODING.test(line.replace(/\r$/, "")) ? "Content-Transfer-Encoding: 8bit" : line,
        ),
      );
      out.push(lines[i]);
      const body = lines.slice(i + 1, end).join("\n");
      out.push(
        encoding.toLowerCase() === "base64"
          ? Buffer.from(body.replace(/\s+/g, ""), "base64").toString("latin1")
          : fromQuotedPrintable(body),
      );
    } else out.push(...lines.slice(start, end));
    // The boundary line starts the next part's header block.
    if (end < lines.length) out.push(lines[end]);
    i = end + 1;
  }
  return out.join("\n");
}

/**
 * A sample of the MTA with its first recipient's reply replaced by `message`, and its Status fields by
 * `status`, its transfer-encoded text parts decoded first (decoded). The reply is the sample's own (replyOf);
 * only a sample that writes none is rewritten where `sisimaiDiagnostic` (Sisimai Perl's diagnosticcode of its
 * first record, when the caller has it) is written. Null when neither is found (8 characters or more), or when
 * the sample reports a program's exit (PROGRAM_EXIT).
 */
export function inDialect(
  sample: string,
  message: string,
  status: string,
  sisimaiDiagnostic?: string,
): string | null {
  if (PROGRAM_EXIT.test(sample)) return null;
  const raw = decoded(sample)
    .split("\n")
    .map((line) => withStatus(line, status));
  const lines = raw.map((line) => line.replace(/\r$/, ""));
  const reply = replyOf(lines)?.replace(/\s+/g, " ").trim() ?? "";
  const diagnostic = sisimaiDiagnostic?.trim() ?? "";
  let rewritten = { text: "", replaced: 0 };
  if (reply.length >= 8) rewritten = replyReplaced(raw, lines, reply, message);
  else if (diagnostic.length >= 8) rewritten = diagnosticReplaced(raw, diagnostic, message);
  return rewritten.replaced > 0 ? rewritten.text : null;
}
