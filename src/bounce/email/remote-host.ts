/**
 * The remote server a plain-text report names beside the reply it quotes, for reports without a
 * Remote-MTA field: the provider rules that apply only to a provider's own servers need it. Ordered;
 * each pattern is how an MTA family writes it (sisimai go lhost/via-*.go sample lines).
 */
const HOST = String.raw`([a-z0-9](?:[a-z0-9-]{0,62}\.){1,10}[a-z]{2,63})`;

/** Each pattern runs only when its text has the `gate` substring (most diagnostics name no host). */
const REMOTE_HOST_PATTERNS: ReadonlyArray<{ gate: string; pattern: RegExp }> = [
  // Sendmail transcript: "... while talking to mx.example.org.:" (via-sendmail.go, via-v5sendmail.go)
  { gate: "alking to ", pattern: new RegExp(String.raw`\bwhile talking to ${HOST}\.?:`, "i") },
  // MailFoundry: "Server mx22.example.org[192.0.2.222] failed with:" (via-mailfoundry.go)
  {
    gate: "] failed with",
    pattern: new RegExp(String.raw`\bServer ${HOST}\[[0-9a-f.:]{3,45}\] failed with`, "i"),
  },
  // X6: "SMTP Server <mta2.example.jp> rejected recipient" (via-x6.go)
  { gate: "> rejected", pattern: new RegExp(String.raw`\bSMTP Server <${HOST}> rejected`, "i") },
  // Gmail: "rejected by the server for the recipient domain example.jp by mx.example.jp. [192.0.2.153]."
  // (via-gmail.go takes the host named in the diagnosis)
  {
    gate: "recipient domain ",
    pattern: new RegExp(String.raw`\bfor the recipient domain \S{1,255} by ${HOST}\.? \[`, "i"),
  },
  // Gmail's own notice of a host it could not reach: "Learn more at https://support.google.com/mail/answer/7720
  // [neko1.nyaan.jp 192.0.2.222: timed out]" (github.com/sisimai/set-of-emails rfc3464-56.eml, lhost-gmail-15.eml;
  // via-gmail.go takes the first host name in the diagnosis)
  {
    gate: "answer/7720",
    pattern: new RegExp(String.raw`answer/7720\s+\[${HOST}\.? [0-9a-f.:]{3,45}: `, "i"),
  },
  // GMX / web.de: "SMTP error from remote server after RCPT command:" then "host: mx.example.jp" (via-gmx.go)
  { gate: "host: ", pattern: new RegExp(String.raw`(?:^|\s)host: ${HOST}(?=\s|$)`, "i") },
];

/** The whole of a candidate: tried from each start in the run of host characters at the end of a text. */
const HOST_ONLY = new RegExp(`^${HOST}$`, "i");
const AFTER_ADDRESS = /^(?::? (?:said|did not like|does not like|refused)|: [45]\d\d\b)/i;

/**
 * Postfix / DragonFly / Exim: "mx.example.org[192.0.2.1] said:", "email.example.jp [192.0.2.25] did not
 * like our RCPT TO:", "host mx.example.jp [192.0.2.222]: 550 …" (via-postfix.go, via-dragonfly.go,
 * via-exim.go): found from each "]" rather than tried at every position of the text.
 */
function hostBeforeAddress(text: string): string | null {
  for (let close = text.indexOf("]"); close >= 0; close = text.indexOf("]", close + 1)) {
    if (!AFTER_ADDRESS.test(text.slice(close + 1, close + 20))) continue;
    const open = text.lastIndexOf("[", close);
    if (open < 0 || close - open > 46 || !/^[0-9a-f.:]+$/i.test(text.slice(open + 1, close))) continue;
    const host = hostAtEnd(text.slice(Math.max(0, open - 256), open));
    if (host) return host.toLowerCase();
  }
  return null;
}

const isHostChar = (code: number): boolean =>
  (code >= 48 && code <= 57) || ((code | 32) >= 97 && (code | 32) <= 122) || code === 46 || code === 45;

/**
 * The host name that ends `text` (one space after it allowed), leftmost start first: what a search for
 * `${HOST} ?$` finds, without trying the pattern at every position of the text before it.
 */
function hostAtEnd(text: string): string | null {
  let end = text.length;
  if (end > 0 && text.charCodeAt(end - 1) === 32) end--;
  let start = end;
  while (start > 0 && isHostChar(text.charCodeAt(start - 1))) start--;
  for (let at = start; at < end; at++) {
    const match = HOST_ONLY.exec(text.slice(at, end));
    if (match) return match[1];
  }
  return null;
}

/** The remote host named in `text`, lower-cased, or null. */
export function remoteHostIn(text: string): string | null {
  if (text.includes("]")) {
    const host = hostBeforeAddress(text);
    if (host) return host;
  }
  for (let i = 0; i < REMOTE_HOST_PATTERNS.length; i++) {
    const { gate, pattern } = REMOTE_HOST_PATTERNS[i];
    if (!text.includes(gate)) continue;
    const match = pattern.exec(text);
    if (match) return match[1].toLowerCase();
  }
  return null;
}
