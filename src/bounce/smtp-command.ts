/**
 * Which SMTP command a recipient's error answered, read from the wording around it: a bounce report's
 * (src/bounce/email), a Postfix log line's " (in reply to … command)", an Exim log line's "after …:". One
 * reading for every source, so the classifier's phase rules (email/smtp-phase.ts) mean the same everywhere.
 */
export const SMTP_COMMANDS = ["CONN", "HELO", "MAIL", "RCPT", "DATA"] as const;
export type SmtpCommand = (typeof SMTP_COMMANDS)[number];

/**
 * A wording that names the command a reply answered: one fact per entry, each with its source and an example
 * quoted from it. Compiled at load into one expression (COMMAND_WORDING); which entry wins does not depend on
 * the table's order: a text that names several commands answered the latest of the session (DATA, then RCPT,
 * MAIL, HELO, CONN), as a transcript's last command is the one refused.
 */
export interface CommandWording {
  /** The command the wording names; absent: the one its pattern's first group names (COMMAND_WORDS). */
  command?: SmtpCommand;
  /** Read case-insensitively; no flags of its own (one expression holds every entry). */
  pattern: RegExp;
  source: string;
  /** The wording as the source writes it (a line of a real report, or the program's own string). */
  example: string;
}

/** A command word a wording's group captures (lower-cased, blanks as one space) → the command; by prefix. */
const COMMAND_WORDS: ReadonlyArray<readonly [string, SmtpCommand]> = [
  ["end of data", "DATA"],
  ["final data", "DATA"],
  ["data", "DATA"],
  ["rcpt", "RCPT"],
  ["mail", "MAIL"],
  ["ehlo", "HELO"],
  ["helo", "HELO"],
  ["initial connection", "CONN"],
];

export const COMMAND_WORDINGS: readonly CommandWording[] = [
  {
    pattern: /in\s+reply\s+to\s+(?:the\s+)?((?:end\s+of\s+)?data|rcpt\s+to|mail\s+from|ehlo|helo)\b/,
    source:
      "Postfix smtp(8) '(in reply to … command)' (sisimai go lhost/via-postfix.go); example: github.com/sisimai/set-of-emails lhost-postfix-02.eml (the line before 'command)')",
    example: "    5.1.1 <userunknown@example.co.jp>... User Unknown (in reply to RCPT TO",
  },
  {
    pattern: /after\s+((?:end\s+of\s+)?data|rcpt\s+to|mail\s+from|ehlo|helo|initial\s+connection)\b/,
    source:
      "Exim 'SMTP error from remote mail server after …:' (sisimai go lhost/via-exim.go); example: github.com/sisimai/set-of-emails lhost-exim-03.eml",
    example: "SMTP error from remote mail server after end of data:",
  },
  {
    // Exim 4.9x writes "pipelined " before a command it sent in a pipelined group (RFC 2920); Sisimai finds the
    // command anywhere in the text (sisimai go lhost/via-exim.go: command.Find(e.Diagnosis)).
    pattern: /after\s+pipelined\s+((?:end\s+of\s+)?data|rcpt\s+to|mail\s+from)\b/,
    source:
      "Exim src/transports/smtp.c check_response(): 'SMTP error from remote mail server after %s%s', the first %s \"pipelined \" when pipelining is active (https://github.com/Exim/exim/blob/master/src/src/transports/smtp.c)",
    example: "SMTP error from remote mail server after pipelined RCPT TO:<kijitora@example.jp>:",
  },
  {
    pattern: /after\s+(rcpt|mail)\s+command/,
    source:
      "GMX/web.de 'SMTP error from remote server after RCPT command:' (sisimai go lhost/via-gmx.go); example: github.com/sisimai/set-of-emails lhost-gmx-01.eml",
    example: "SMTP error from remote server after RCPT command:",
  },
  {
    pattern: />>> ?(data|rcpt\s+to|mail\s+from|ehlo|helo)\b/,
    source:
      "Sendmail's transcript of session, the command sent after '>>> ' (sisimai go lhost/via-sendmail.go); example: github.com/sisimai/set-of-emails lhost-sendmail-04.eml",
    example: ">>> MAIL From:<httpd@host1.mx.example.jp> SIZE=800 AUTH=<>",
  },
  {
    pattern: /sent <<< ?(data|rcpt\s+to|mail\s+from)\b/,
    source:
      "InterScan MSS 'Sent <<< RCPT TO:<a@b>' then 'Received >>> 550 …' (its English reports turn the arrows: sisimai go lhost/via-interscanmss.go); example: github.com/sisimai/set-of-emails lhost-interscanmss-01.eml",
    example: "Sent <<< RCPT TO:<kijitora@example.co.jp>",
  },
  {
    // Its 'RCPT TO:<a@b>' line names the recipient, so the reader keeps it out of the error: DATA and MAIL are read.
    pattern: /-smtp command\s+(data|mail)\b/,
    source:
      "m-FILTER '-------SMTP command' then the command on the next line (sisimai go lhost/via-mfilter.go); example: github.com/sisimai/set-of-emails lhost-mfilter-02.eml",
    example: "-------SMTP command\nDATA",
  },
  {
    pattern: /did not like our ((?:final )?data|rcpt to|mail from)\b/,
    source:
      "DragonFly Mail Agent '%s [%s] did not like our %s:' for MAIL FROM, RCPT TO, DATA and final DATA (https://github.com/corecode/dma/blob/master/net.c READ_REMOTE_CHECK; sisimai go lhost/via-dragonfly.go); example: github.com/sisimai/set-of-emails lhost-dragonfly-01.eml",
    example: "gmail-smtp-in.l.google.com [74.125.203.27] did not like our final DATA:",
  },
  {
    command: "DATA",
    pattern: /for text command/,
    source:
      "1&1 'SMTP error from remote server for TEXT command' (sisimai go lhost/via-einsundeins.go); example: github.com/sisimai/set-of-emails lhost-einsundeins-03.eml",
    example:
      "SMTP error from remote server for TEXT command, host: smtp-in.orange.fr (193.252.22.65) reason: 550 5.2.0 Mail rejete. Mail rejected. ofr_506 [506]",
  },
  {
    // The command word before "command", whoever writes it (Postfix's "(in reply to RCPT TO command)" too).
    pattern: /\b(data|rcpt\s+to|mail\s+from)\s+command/,
    source: 'qmail-remote.c:265 quit("D"," failed on DATA command") (sisimai go lhost/via-qmail.go)',
    example: " failed on DATA command",
  },
  {
    command: "DATA",
    pattern: /failed after i sent the message/,
    source:
      'qmail-remote.c:271 quit("D"," failed after I sent the message") (sisimai go lhost/via-qmail.go); example: github.com/sisimai/set-of-emails lhost-qmail-14.eml',
    example: "74.125.204.27 failed after I sent the message.",
  },
  {
    pattern: /\bsmtp:(data|rcpt)\b/,
    source: "X3 'SMTP:<command> host …: <reply>' (sisimai go lhost/via-x3.go)",
    example: "SMTP:RCPT host 192.0.2.8: 553 5.3.0 <kijitora@example.com>... No such user here",
  },
  {
    pattern: /error following (data|rcpt)\b/,
    source:
      "X6 '(Error following <command> command)' (sisimai go lhost/via-x6.go); example: github.com/sisimai/set-of-emails lhost-x6-02.eml",
    example:
      "SMTP Server <smtpd.libsisimai.org> rejected recipient <kijitora@libsisimai.org> (Error following RCPT command). It responded as follows: [550 5.1.1 User unknown]",
  },
  {
    command: "RCPT",
    pattern: /\[rcpt_to\]/,
    source:
      "Yahoo's notices '… [RCPT_TO]' (sisimai go lhost/via-yahoo.go); example: github.com/sisimai/set-of-emails lhost-yahoo-01.eml",
    example: "Remote host said: 550 5.1.1 <kijitora@example.org>... User Unknown [RCPT_TO]",
  },
  {
    command: "RCPT",
    pattern: /rcpt to response/,
    source:
      "qmail 'no SMTP connection got far enough; most progress was RCPT TO response' (sisimai go lhost/via-qmail.go); example: github.com/sisimai/set-of-emails lhost-qmail-01.eml",
    example:
      "Sorry, no SMTP connection got far enough; most progress was RCPT TO response; remote host 192.0.2.32 said: 550 Unknown user kijitora@example.ne.jp",
  },
  {
    command: "RCPT",
    pattern: /does not like recipient/,
    source:
      'qmail-remote.c:249 out(" does not like recipient.\\n") (sisimai go lhost/via-qmail.go); example: github.com/sisimai/set-of-emails lhost-qmail-02.eml',
    example: "192.0.2.153 does not like recipient.",
  },
  {
    command: "MAIL",
    pattern: /sender was rejected/,
    source:
      'qmail-remote.c:238 quit("DConnected to "," but sender was rejected") (sisimai go lhost/via-qmail.go); example: github.com/sisimai/set-of-emails lhost-qmail-03.eml',
    example: "Connected to 192.0.2.225 but sender was rejected.",
  },
  {
    command: "HELO",
    pattern: /but my name was rejected/,
    source:
      'qmail-remote.c:231 quit("ZConnected to "," but my name was rejected") (sisimai go lhost/via-qmail.go)',
    example: "Connected to 192.0.2.135 but my name was rejected.",
  },
  {
    command: "CONN",
    pattern: /refused to talk to me/,
    source:
      "Postfix 'host … refused to talk to me:' (sisimai go lhost/via-postfix.go); example: github.com/sisimai/set-of-emails lhost-postfix-49.eml",
    example: "mfsmax.example.com[192.0.2.232]: server refused to talk to me: 421",
  },
  {
    command: "CONN",
    pattern: /but greeting failed/,
    source:
      'qmail-remote.c:225 quit("ZConnected to "," but greeting failed") (sisimai go lhost/via-qmail.go)',
    example: " but greeting failed.",
  },
  {
    command: "CONN",
    pattern: /during greeting wait/,
    source: "V5 Sendmail (https://github.com/sisimai/set-of-emails lhost-v5sendmail-05.eml)",
    example:
      "421 smtp.example.org (smtp)... Deferred: Connection reset by peer during greeting wait with smtp.example.org",
  },
  {
    command: "CONN",
    pattern: /no data before greeting/,
    source: "Cox's reply to a client that spoke before the greeting (sisimai go rhost/for-cox.go)",
    example: "esmtp no data before greeting",
  },
  {
    // No '>>>' command before the reply: the server's greeting was refused.
    command: "CONN",
    pattern: /while talking to [^\n:]{1,255}:\s*<<< ?[45]/,
    source:
      "Sendmail's transcript '... while talking to host:' then '<<< 554' with no command sent (sisimai go lhost/via-sendmail.go); example: github.com/sisimai/set-of-emails lhost-sendmail-16.eml",
    example:
      "... while talking to mx03.example.org.:\n<<< 554 IP=192.0.2.254 - A problem occurred. (Ask your postmaster for help or to contact neko@example.org to clarify.) (BL)",
  },
];

/** The latest command of a session first: the one a text naming several answered. */
const COMMAND_RANK: Readonly<Record<SmtpCommand, number>> = { DATA: 0, RCPT: 1, MAIL: 2, HELO: 3, CONN: 4 };

/** The command a captured word names. */
function commandOfWord(word: string): SmtpCommand | null {
  const lower = word.toLowerCase().replace(/\s+/g, " ");
  for (let i = 0; i < COMMAND_WORDS.length; i++)
    if (lower.startsWith(COMMAND_WORDS[i][0])) return COMMAND_WORDS[i][1];
  return null;
}

/** Each entry's first group (its command word) or its whole match in one group of its own, numbered in order. */
const GROUP_OF: number[] = [];
const COMMAND_WORDING = new RegExp(
  COMMAND_WORDINGS.map((entry, index) => {
    GROUP_OF[index] = index === 0 ? 1 : GROUP_OF[index - 1] + groupsIn(COMMAND_WORDINGS[index - 1]) + 1;
    return `(${entry.pattern.source})`;
  }).join("|"),
  "gi",
);

/** The capturing groups an entry's pattern holds. */
function groupsIn(entry: CommandWording): number {
  return (new RegExp(`${entry.pattern.source}|`).exec("")?.length ?? 1) - 1;
}

/** The command each wording found in `text` names, the latest of the session first; null for none. */
function namedCommand(text: string): SmtpCommand | null {
  let best: SmtpCommand | null = null;
  COMMAND_WORDING.lastIndex = 0;
  for (let match = COMMAND_WORDING.exec(text); match !== null; match = COMMAND_WORDING.exec(text)) {
    let command: SmtpCommand | null = null;
    for (let i = 0; i < COMMAND_WORDINGS.length; i++) {
      const group = GROUP_OF[i];
      if (match[group] === undefined) continue;
      command = COMMAND_WORDINGS[i].command ?? commandOfWord(match[group + 1] ?? "");
      break;
    }
    if (command !== null && (best === null || COMMAND_RANK[command] < COMMAND_RANK[best])) best = command;
    if (best === "DATA") break;
    // Matches may overlap (one wording inside another's): every start is tried.
    COMMAND_WORDING.lastIndex = match.index + 1;
  }
  return best;
}

/**
 * A transcript of a pipelined session (RFC 2920) shows the last command sent, ">>> DATA", then the replies
 * to the whole batch in order: a refusal followed by DATA's own refusal for want of recipients answered
 * RCPT TO, not DATA — Sendmail "503 5.0.0 Need RCPT (recipient)" (srvrsmtp.c), Postfix "554 5.5.1 Error: no
 * valid recipients" (smtpd.c), Exim "503-All RCPT commands were rejected", Gmail "503 5.5.1 RCPT first".
 * The report then shows no phase of its own, unless DATA's refusal quotes the error every RCPT TO drew (Exim's,
 * below) and that error is the batch's first reply: then it answered RCPT TO.
 */
const DATA_SENT = />>> ?data\b/gi;
const FIRST_REPLY = /^ ?[45]\d\d[ -]/;
const NO_RECIPIENTS_FOR_DATA =
  /^ ?(?:503|554)[ -][^\n]{0,40}?(?:need rcpt|no valid recipients|rcpt commands were rejected|rcpt first)/i;

/**
 * Exim's answer to DATA when every RCPT TO of the session drew the same refusal (src/smtp_in.c, DATA with
 * no recipient: `smtp_respond(code, 3, SR_NOT_FINAL, US"All RCPT commands were rejected with this error:")`
 * then that refusal's text, then "503 Valid RCPT command must precede DATA";
 * https://github.com/Exim/exim/blob/master/src/src/smtp_in.c). Example: github.com/sisimai/set-of-emails
 * lhost-sendmail-26.eml ("<<< 503-All RCPT commands were rejected with this error:", "<<< 503-unknown user").
 */
const ALL_RCPT_REJECTED = /^ ?503[ -]all rcpt commands were rejected with this error:/i;
/** A reply's code (and enhanced status) and blanks, so two replies compare by their words. */
const REPLY_LEAD = /^ ?[45]\d\d(?:[ :-]+[245]\.\d{1,3}\.\d{1,3})?[ :-]*/;
const wordsOfReply = (reply: string): string =>
  reply.replace(REPLY_LEAD, "").replace(/\s+/g, " ").trim().toLowerCase();

/**
 * A transcript whose ">>> DATA" has only DATA's own refusal for want of recipients as its reply (RFC 5321 §3.3:
 * "no RCPT, or all such commands were rejected" gives 503 or 554 to DATA): the client sent DATA after its
 * RCPT TO was refused (">>> RCPT To:<a@b>", "<<< 550 5.7.1 …", ">>> DATA", "<<< 503 Error: need RCPT
 * command"), so the recipient's error answered RCPT, not DATA.
 */
interface DataReading {
  /** A pipelined batch: no phase of its own. */
  pipelined: boolean;
  /**
   * A pipelined batch whose DATA refusal quotes the refusal every RCPT TO drew (Exim's "All RCPT commands
   * were rejected with this error:"), and that is the batch's first reply: the error answered RCPT TO.
   */
  rcpt: boolean;
  /** [start, end) of each DATA refused only for want of recipients, with its reply: not the error's phase. */
  unanswered: Array<[number, number]>;
}

/**
 * replies[at] is Exim's "All RCPT commands were rejected with this error:" and the refusal it quotes (on the
 * next reply line, or after the colon where a report joined the lines) begins with the words of the batch's
 * first reply, whose own line ends it (a reporting MTA's line may follow: Sendmail's "550 5.1.1 <a@b>... User
 * unknown").
 */
function quotesFirstReply(replies: readonly string[], at: number): boolean {
  const intro = ALL_RCPT_REJECTED.exec(replies[at]);
  if (!intro) return false;
  const rest = wordsOfReply(replies[at].slice(intro[0].length));
  const quoted = rest !== "" ? rest : at + 1 < replies.length ? wordsOfReply(replies[at + 1]) : "";
  const first = wordsOfReply(replies[1].split("\n", 1)[0]);
  return first !== "" && quoted.startsWith(first);
}

function readDataReplies(text: string): DataReading {
  const reading: DataReading = { pipelined: false, rcpt: false, unanswered: [] };
  // Each ">>> DATA" with the replies up to the next command sent: linear, whatever the text (one regex
  // over replies of replies backtracks without bound on a line of "<<< 550 " runs).
  // exec in a loop, not matchAll: matchAll copies the expression (a call into the runtime) for every text.
  DATA_SENT.lastIndex = 0;
  for (let start = DATA_SENT.exec(text); start !== null; start = DATA_SENT.exec(text)) {
    const from = (start.index ?? 0) + start[0].length;
    const next = text.indexOf(">>>", from);
    const replies = text.slice(from, next < 0 ? text.length : next).split("<<<");
    if (replies.length < 2 || replies[0].trim() !== "") continue;
    if (replies.length === 2 && NO_RECIPIENTS_FOR_DATA.test(replies[1])) {
      const lineEnd = text.indexOf("\n", from + replies[0].length + 3);
      reading.unanswered.push([start.index ?? 0, lineEnd < 0 ? text.length : lineEnd]);
      continue;
    }
    if (!FIRST_REPLY.test(replies[1])) continue;
    for (let i = 2; i < replies.length; i++)
      if (NO_RECIPIENTS_FOR_DATA.test(replies[i])) {
        reading.pipelined = true;
        // The quoted refusal is the next reply line; the first reply ends at its line's end (a reporting
        // MTA's own line may follow it: Sendmail's "550 5.1.1 <a@b>... User unknown").
        reading.rcpt = quotesFirstReply(replies, i);
        return reading;
      }
  }
  return reading;
}

/** The command `text` names (null: none, or a pipelined batch whose replies show none of their own). */
export function smtpCommandIn(text: string): SmtpCommand | null {
  const data = readDataReplies(text);
  if (data.pipelined) return data.rcpt ? "RCPT" : null;
  if (data.unanswered.length === 0) return namedCommand(text);
  let rest = "";
  let from = 0;
  for (const [start, end] of data.unanswered) {
    rest += `${text.slice(from, start)} `;
    from = end;
  }
  return namedCommand(rest + text.slice(from));
}
