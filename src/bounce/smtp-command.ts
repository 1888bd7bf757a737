/**
 * Which SMTP command a recipient's error answered, read from the wording around it: a bounce report's
 * (src/bounce/email), a Postfix log line's " (in reply to … command)", an Exim log line's "after …:". One
 * reading for every source, so the classifier's phase rules (email/smtp-phase.ts) mean the same everywhere.
 */
export const SMTP_COMMANDS = ["CONN", "HELO", "MAIL", "RCPT", "DATA"] as const;
export type SmtpCommand = (typeof SMTP_COMMANDS)[number];

/** Ordered: the first pattern found in the recipient's text names the command. */
const COMMAND_PATTERNS: ReadonlyArray<{ command: SmtpCommand; pattern: RegExp; source: string }> = [
  {
    command: "DATA",
    pattern:
      /in reply to (?:the )?(?:end of )?data\b|after (?:end of )?data\b|(?:>>>|sent <<<) ?data\b|-smtp command\s+data\b|did not like our (?:final )?data\b|for text command|\bdata command|failed after i sent the message|smtp:data\b|error following data\b/i,
    source:
      "Postfix bounce(8) '(in reply to end of DATA command)'; Exim 'after end of data'; Sendmail transcript '>>> DATA'; qmail-remote.c ' failed on DATA command', ' failed after I sent the message' (sisimai go lhost/via-qmail.go); X3 'SMTP:DATA', X6 '(Error following DATA command)'; InterScan MSS 'Sent <<< DATA' (its English reports turn the arrows: sisimai go lhost/via-interscanmss.go); m-FILTER '-------SMTP command' then 'DATA' (sisimai go lhost/via-mfilter.go, lhost-mfilter-02); DragonFly Mail Agent '… did not like our final DATA:' (dma net.c READ_REMOTE_CHECK; lhost-dragonfly-01)",
  },
  {
    command: "RCPT",
    pattern:
      /in reply to rcpt to|after rcpt (?:to|command)|(?:>>>|sent <<<) ?rcpt to|-smtp command\s+rcpt\b|rcpt to command|\[rcpt_to\]|did not like our rcpt to|rcpt to response|does not like recipient|smtp:rcpt\b|error following rcpt\b/i,
    source:
      "Postfix '(in reply to RCPT TO command)'; Exim 'after RCPT TO:'; GMX/web.de 'SMTP error from remote server after RCPT command:' (sisimai go lhost/via-gmx.go, lhost-gmx-01); Sendmail '>>> RCPT To:'; InterScan MSS 'Sent <<< RCPT TO:<a@b>' then 'Received >>> 550 …' (sisimai go lhost/via-interscanmss.go, lhost-interscanmss-01); m-FILTER '-------SMTP command' then 'RCPT TO:<a@b>' (sisimai go lhost/via-mfilter.go); qmail-remote.c ' does not like recipient.'; 'SMTP:RCPT host 192.0.2.8: 553 …' (sisimai go lhost/via-x3.go); '(Error following RCPT command)' (sisimai go lhost/via-x6.go)",
  },
  {
    command: "MAIL",
    pattern:
      /in reply to mail from|after mail (?:from|command)|(?:>>>|sent <<<) ?mail from|-smtp command\s+mail\b|did not like our mail from|mail from command|sender was rejected/i,
    source:
      "Postfix '(in reply to MAIL FROM command)'; Exim 'after MAIL FROM:'; GMX/web.de 'after MAIL command:' (sisimai go lhost/via-gmx.go); DragonFly Mail Agent 'did not like our MAIL FROM:' (dma net.c READ_REMOTE_CHECK, as 'did not like our RCPT TO:' in sisimai go lhost/via-dragonfly.go); qmail 'sender was rejected'",
  },
  {
    command: "HELO",
    pattern: /in reply to (?:ehlo|helo)|after (?:ehlo|helo)\b|>>> ?(?:ehlo|helo)\b|but my name was rejected/i,
    source:
      "Postfix '(in reply to EHLO command)'; Exim 'after EHLO'; qmail-remote.c 'Connected to … but my name was rejected' (sisimai go lhost/via-qmail.go)",
  },
  {
    command: "CONN",
    pattern:
      /after initial connection|refused to talk to me|while connected to|greeting|while talking to [^\n:]{1,255}:\s*<<< ?[45]/i,
    source:
      "Exim 'after initial connection'; Postfix 'refused to talk to me'; Sendmail transcript '... while talking to host:' then '<<< 554' with no '>>>' command (the greeting)",
  },
];

/**
 * A transcript of a pipelined session (RFC 2920) shows the last command sent, ">>> DATA", then the replies
 * to the whole batch in order: a refusal followed by DATA's own refusal for want of recipients answered
 * RCPT TO, not DATA — Sendmail "503 5.0.0 Need RCPT (recipient)" (srvrsmtp.c), Postfix "554 5.5.1 Error: no
 * valid recipients" (smtpd.c), Exim "503-All RCPT commands were rejected", Gmail "503 5.5.1 RCPT first".
 * The report then shows no phase of its own.
 */
const DATA_SENT = />>> ?data\b/gi;
const FIRST_REPLY = /^ ?[45]\d\d[ -]/;
const NO_RECIPIENTS_FOR_DATA =
  /^ ?(?:503|554)[ -][^\n]{0,40}?(?:need rcpt|no valid recipients|rcpt commands were rejected|rcpt first)/i;

function pipelinedBatch(text: string): boolean {
  // Each ">>> DATA" with the replies up to the next command sent: linear, whatever the text (one regex
  // over replies of replies backtracks without bound on a line of "<<< 550 " runs).
  for (const start of text.matchAll(DATA_SENT)) {
    const from = (start.index ?? 0) + start[0].length;
    const next = text.indexOf(">>>", from);
    const replies = text.slice(from, next < 0 ? text.length : next).split("<<<");
    if (replies.length < 3 || replies[0].trim() !== "" || !FIRST_REPLY.test(replies[1])) continue;
    for (let i = 2; i < replies.length; i++) if (NO_RECIPIENTS_FOR_DATA.test(replies[i])) return true;
  }
  return false;
}

/** The command `text` names (null: none, or a pipelined batch whose replies show none of their own). */
export function smtpCommandIn(text: string): SmtpCommand | null {
  if (pipelinedBatch(text)) return null;
  for (let i = 0; i < COMMAND_PATTERNS.length; i++)
    if (COMMAND_PATTERNS[i].pattern.test(text)) return COMMAND_PATTERNS[i].command;
  return null;
}
