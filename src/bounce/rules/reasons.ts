import type { Reason } from "../vocabulary.ts";

/**
 * Generic, provider-independent text patterns → Sisimai 5.6 reason, ordered (first match wins), each with its
 * source. Patterns are matched against the lower-cased, unfolded reply text. Phrases come from Sisimai's
 * reason classes (BSD-2-Clause; lib/Sisimai/Reason/*.pm, v4.25 and the v5 renames), RFC 3463/5248 and
 * common MTA wording; specific reasons go before the broad ones they overlap.
 */
export interface ReasonRule {
  id: string;
  reason: Reason;
  /** Matched against the lower-cased, unfolded reply text. */
  pattern: RegExp;
  source: string;
  example: string;
}

const SISIMAI = (name: string) => `Sisimai lib/Sisimai/Reason/${name}.pm (phrase list)`;

export const REASON_RULES: readonly ReasonRule[] = [
  {
    id: "starttls-required",
    reason: "failedstarttls",
    pattern:
      /starttls|tls (?:is )?required|(?:does not|doesn't) support (?:tls|ssl)|must issue a starttls|requires? (?:a )?(?:secure|encrypted) connection|tls negotiation failed|ssl routines|no common (?:tls )?(?:cipher|protocol)/,
    source: `${SISIMAI("FailedSTARTTLS")}; RFC 3207 §4 (530 5.7.0 Must issue a STARTTLS command first)`,
    example: "530 5.7.0 Must issue a STARTTLS command first",
  },
  {
    id: "spam-classification",
    reason: "spamdetected",
    pattern: /rejected due to spam (?:url in )?(?:classification|content)/,
    source: SISIMAI("SpamDetected"),
    example: "Your email was rejected due to spam classification",
  },
  {
    id: "dmarc-spf-dkim-failure",
    reason: "authfailure",
    pattern:
      /\bdmarc\b|\bspf\b.{0,40}(?:fail|check|record|softfail|validation|permerror|not (?:pass|designate|allow))|(?:fail|failed|not pass(?:ed)?|did not pass)\W{0,3}(?:spf|dkim)|\bdkim\b.{0,40}(?:fail|invalid|missing|required|signature)|sender policy framework|5\.7\.(?:2[0-3]|26)\b|does not have authentication information|authentication (?:check|checks) failed|unauthenticated (?:email|mail|message)|is not (?:allowed|authorized|permitted) to send (?:mail )?(?:on behalf of|from)|not designated as a permitted sender|spf record|does not designate/,
    source: `${SISIMAI("AuthFailure")}; RFC 7372 (5.7.20–5.7.26); RFC 7208; RFC 7489`,
    example: "550 5.7.26 This message does not have authentication information or fails to pass DMARC checks",
  },
  {
    id: "no-ptr-record",
    reason: "requireptr",
    pattern:
      /\bptr\b|reverse (?:dns|lookup|hostname|host ?name)|\brdns\b|cannot find your (?:reverse )?hostname|can't find your hostname|cannot resolve your (?:address|hostname)|client host rejected: cannot find|unresolvable (?:ip|address|hostname)|no (?:reverse|dns) (?:record|name) for|hostname (?:lookup|verification) failed|ip name lookup failed|does not resolve to a hostname|reverse-lookup|mismatches client ip|unverif(?:y|i)able sending ips?|5\.7\.25\b/,
    source: `${SISIMAI("RequirePTR")}; RFC 7372 (5.7.25 Reverse DNS validation failed)`,
    example: "550 5.7.25 Client host rejected: cannot find your reverse hostname",
  },
  {
    id: "local-program-failed",
    reason: "mailererror",
    pattern:
      /^procmail: |bin\/(?:procmail|maildrop)|command (?:failed|died with status|output)|mailer error|pipe to \||x-unix; ?\d+|\bexit \d+|unknown mailer error/,
    source: SISIMAI("MailerError"),
    example: "Command died with status 1: /usr/bin/procmail. Command output: procmail: Quota exceeded",
  },
  {
    id: "server-storage-full",
    reason: "systemfull",
    pattern:
      /insufficient (?:disk space|system storage)|mail system full|no space left on device|spool (?:is )?full/,
    source: `${SISIMAI("SystemFull")}; RFC 3463 X.3.1, X.4.5`,
    example: "452 4.4.5 Insufficient disk space; try again later",
  },
  {
    id: "mailbox-over-quota",
    reason: "mailboxfull",
    pattern:
      /over ?quota|quota (?:exceeded|violation|full)|exceeded (?:its |their |the )?(?:storage|disk|mailbox)? ?(?:quota|storage allocation|space limit)|(?:mailbox|mail box|inbox|mailfolder|maildir) (?:is |was )?(?:full|over|exceeded|size limit)|full mailbox|mailbox full|(?:disk|mailbox|mail) quota|not enough (?:storage|disk)? ?space|does not have enough space|too much mail data|has too many messages|boite du destinataire pleine|space has been used up|exceeding (?:its|their) (?:mailbox )?quota|over the (?:allowed )?quota|reached (?:disk )?quota|would exceed (?:maximum allowed storage|quota)|mailbox (?:has )?exceeded|size of (?:the )?mailbox|user(?:'s)? (?:disk )?quota|quota usage exceeded|mailbox exceeds allowed size/,
    source: `${SISIMAI("MailboxFull")}; RFC 3463 X.2.2`,
    example: "552 5.2.2 <user@example.org>: Recipient address rejected: Mailbox is full",
  },
  {
    id: "message-too-large",
    reason: "emailtoolarge",
    pattern:
      /message (?:is )?too (?:large|big)|(?:message|mail|e-?mail) size (?:exceeds|limit|too)|exceeds? (?:the )?(?:maximum|max|fixed|size|administrative)? ?(?:message )?(?:size|length) ?limit|size limit|max(?:imum)? message size|message length exceeds|message file too big|taille limite du message|line limit exceeded|header size exceeds limit|exceeded maximum inbound message size|message size exceeds|too big for (?:this|the) (?:system|server)/,
    source: `${SISIMAI("EmailTooLarge")} (v5.6 merge of MesgTooBig and ExceedLimit); RFC 3463 X.2.3, X.3.4`,
    example: "552 5.3.4 Message size exceeds fixed maximum message size",
  },
  {
    id: "not-rfc5322",
    reason: "notcompliantrfc",
    pattern:
      /rfc ?(?:2822|5322)\b|not (?:rfc|standards)[- ]compliant|duplicate (?:header|message-id|from|to|subject|date)|multiple (?:from|sender|date|subject|message-id) (?:headers|fields)|(?:missing|invalid|malformed) (?:message-id|date|from) header|contains (?:bare|non-compliant)|multiple addresses in from|bare lf|bare newlines?/,
    source: `${SISIMAI("NotCompliantRFC")}; RFC 5322 §3.6 (field occurrence limits)`,
    example: "550 5.7.1 This message is not RFC 5322 compliant: duplicate From headers",
  },
  {
    id: "recipient-receiving-too-fast",
    reason: "ratelimited",
    pattern:
      /receiving mail at a rate that prevents|receiving mail too quickly|recipient is receiving (?:too much|too many)/,
    source: `${SISIMAI("RateLimited")}; Gmail 4.2.1/5.2.1 "receiving mail at a rate that prevents additional messages"`,
    example:
      "550 5.2.1 The user you are trying to contact is receiving mail at a rate that prevents additional messages from being delivered.",
  },
  {
    id: "account-suspended",
    reason: "suspend",
    pattern:
      /(?:account|mailbox|user|address|recipient)(?: has been| is|'s)? (?:currently )?(?:suspended|disabled|deactivated|inactive|locked|frozen|blocked by (?:the )?administrator|expired|closed|discontinued)|(?:suspended|disabled|deactivated|inactive) (?:account|mailbox|user|recipient)|is a deactivated mailbox|temporarily inactive|mailbox unavailable or access denied|recipient suspend the service|user suspended|boite du destinataire archivee|invalid\/inactive user|temporary locked|has been disabled|email account that you tried to reach is disabled|no longer (?:active|in use|available)/,
    source: `${SISIMAI("Suspend")}; RFC 3463 X.2.1; RFC 5248 5.7.13 (user account disabled)`,
    example: "550 5.2.1 The email account that you tried to reach is disabled",
  },
  {
    id: "mailbox-moved",
    reason: "hasmoved",
    pattern:
      / has been replaced by |mailbox (?:has )?moved|(?:address|user|recipient) (?:has )?moved|no forwarding address|5\.1\.6\b/,
    source: `${SISIMAI("HasMoved")}; RFC 3463 X.1.6`,
    example: "550 5.1.6 <user@example.org> has been replaced by <new@example.org>",
  },
  {
    // Before relay-denied: the server would relay for an authenticated client, so the fix is SMTP AUTH.
    id: "relay-needs-authentication",
    reason: "securityerror",
    pattern:
      /turn on smtp authentication|relay through this server without authentication|authentication required for relay/,
    source: SISIMAI("SecurityError"),
    example:
      "550-Please turn on SMTP Authentication in your mail client. 550 mx.example.org is not permitted to relay through this server without authentication.",
  },
  {
    id: "relay-denied",
    reason: "norelaying",
    pattern:
      /relay(?:ing)? (?:access )?(?:denied|not (?:permitted|allowed))|no relaying|not (?:permitted|allowed) to relay|unable to relay|relaying mail to |as a relay|insecure mail relay|not an open relay|this system is not configured to relay|we don't handle mail for|not a gateway|not local host|allowed rcpthosts?|relay not permitted|requires authentication when attempting to send to a non-local|email address is not verified/,
    source: `${SISIMAI("NoRelaying")} (incl. Amazon SES "Email address is not verified": the sandbox relays only for verified identities); RFC 5321 §3.6.2 (550 relaying denied)`,
    example: "554 5.7.1 <user@example.org>: Relay access denied",
  },
  {
    id: "recipient-filter",
    reason: "filtered",
    pattern:
      /rejected (?:due to|by) (?:user|recipient)(?:'s)? (?:rules|preferences|filter)|refused due to recipient preferences|only accepting mail from specific|is not accepting (?:any )?mail|you have been blocked by the recipient|user reject|this account is protected by|resolver\.rst\.notauthorized|has restricted sms e-mail|domain filter|rejected by (?:the )?(?:recipient|domain) filter|blocked by recipient|message filtered|mail is not currently being accepted for this mailbox/,
    source: SISIMAI("Filtered"),
    example: "550 5.7.1 Message rejected due to user rules",
  },
  {
    id: "sender-rejected",
    reason: "rejected",
    pattern:
      /sender (?:address |e-?mail (?:address )?|domain )?(?:rejected|refused|denied|invalid|blacklisted|is (?:in my black list|spammer|not allowed))|invalid sender|(?:domain of )?sender (?:domain|address) (?:must exist|does not exist|not found|is empty|must resolve)|sender verify failed|unroutable sender|bogus mail from|empty envelope senders?|null sender is not allowed|(?:envelope sender|return[- ]path) .{0,40}(?:rejected|refused|not allowed|invalid|blacklisted)|sender was rejected|address that has been blacklisted|can't determine purported responsible address|batv|backscatter|no third-party dsns|not pre-approved|administrative prohibition|this server does not accept mail from|fully qualified (?:email|e-mail|sender) address required|sender not (?:allowed|authorized)|from: domain is invalid|mail from not owned by user|you are not allowed to post to this mailing list|is not a registered gateway user|returned mail not accepted here|5\.1\.[78]\b/,
    source: `${SISIMAI("Rejected")}; RFC 3463 X.1.7, X.1.8`,
    example: "553 5.1.8 <sender@example.net>: Sender address rejected: Domain not found",
  },
  {
    id: "domain-receives-no-mail",
    reason: "notaccept",
    pattern:
      /doesn't receive email|does not receive email|null mx|nullmx|no mx found|couldn't find a mail exchanger|host\/domain does not accept mail/,
    source: `${SISIMAI("NotAccept")}; RFC 7505 (null MX)`,
    example:
      "DNS Error: DNS type 'mx' lookup of example.org responded with code NOERROR The domain example.org doesn't receive email",
  },
  {
    id: "domain-not-found",
    reason: "hostunknown",
    pattern: /host or domain name not found|no such domain/,
    source: `${SISIMAI("HostUnknown")}; Postfix "Host or domain name not found" (NXDOMAIN, permanent)`,
    example: "Host or domain name not found. Name service error for name=example.org type=A: Host not found",
  },
  {
    id: "client-blocked-specific",
    reason: "blocked",
    pattern:
      /client host (?:\[[^\]]*\] )?blocked|invalid ip for sending mail of domain|smtp server of your isp|ip source bloquee/,
    source: SISIMAI("Blocked"),
    example: "554 INVALID IP FOR SENDING MAIL OF DOMAIN example.org",
  },
  {
    id: "dns-lookup-error",
    reason: "networkerror",
    pattern:
      /dns error|name service error|host not found, try again|temporary (?:dns|lookup) failure|dns lookup failure/,
    source: `${SISIMAI("NetworkError")}; Postfix "Name service error" (temporary DNS failure)`,
    example: "Name service error for domain example.org: Host not found, try again",
  },
  {
    id: "recipient-unknown",
    reason: "userunknown",
    pattern:
      /user (?:unknown|not (?:found|known|exist)|does not exist|doesn't exist|missing home directory)|unknown (?:user|recipient|mailbox|local[- ]?part|e-?mail address|address)|no such (?:user|mailbox|recipient|person|address|account)|(?:recipient|address|mailbox|account|user|e-?mail address|destination)(?: address)? (?:\S+ )?(?:does not|doesn't|did not) exist|(?:mailbox|recipient|address|user|account) (?:\S+ )?(?:not found|unavailable|is unavailable|is not valid|invalid)|invalid (?:recipient|mailbox|address|user)|(?:not a|is not a) (?:valid|known) (?:recipient|user|mailbox)|bad (?:destination )?(?:recipient|address|mailbox)|recipient (?:unknown|not (?:ok|found|exist|local)|rejected|is not local)|non[- ]?existent (?:user|recipient|mailbox)|no mailbox|no account by that name|not (?:a )?local (?:address|recipient)|no (?:valid )?recipients|unrouteable address|address (?:unknown|not present|invalid)|requested action not taken: mailbox unavailable|resolver\.adr\.recipnotfound|recipient ?not ?found|there is no one at this address|email address (?:could not be found|is wrong or no longer valid)|badrcptto|validrcptto|rcpt .{0,60}does not exist|this user doesn't have an? \S+ account|(?:e-?mail )?account that you tried to reach does not exist|invalid final delivery userid|recipient address rejected\.?(?:$| \(in reply)|not listed in (?:the )?(?:public name & address book|domino directory)|address (?:couldn't|could not) be found|utilisateur inconnu|destinataire invalide|5\.1\.1\b/,
    source: `${SISIMAI("UserUnknown")}; RFC 3463 X.1.1`,
    example:
      "550 5.1.1 <user@example.org>: Recipient address rejected: User unknown in local recipient table",
  },
  {
    id: "recipient-domain-unknown",
    reason: "hostunknown",
    pattern:
      /host (?:or domain name )?(?:unknown|not found|unreachable)|unknown (?:host|domain)|(?:domain|host) (?:name )?(?:does not exist|not found|is not reachable|must exist)|no such (?:domain|host)|name or service not known|mail domain mentioned in email address is unknown|unrout(?:e)?able (?:mail )?domain|(?:recipient )?domain must exist|the account or domain may not exist|nxdomain|5\.1\.2\b|5\.4\.4\b/,
    source: `${SISIMAI("HostUnknown")}; RFC 3463 X.1.2, X.4.4`,
    example: "550 5.1.2 Host unknown (Name server: example.invalid: host not found)",
  },
  {
    id: "virus-found",
    reason: "virusdetected",
    pattern:
      /virus|malware|trojan|infected|potentially executable attachment|executable files are not allowed|this form of attachment has been used by/,
    source: SISIMAI("VirusDetected"),
    example: "550 5.7.1 Message rejected: virus detected (Eicar-Test-Signature)",
  },
  {
    id: "receiver-policy-specific",
    reason: "policyviolation",
    pattern:
      /content presents a potential|illegal attachment|members-only list|closed mailing list|not subscribed to this group|captcha|rejected for policy reasons|not accepted for policy reasons|local policy violation|organizational settings|organization policy/,
    source: SISIMAI("PolicyViolation"),
    example: "552 5.7.0 This message was blocked because its content presents a potential security issue",
  },
  {
    id: "spam-content",
    reason: "spamdetected",
    pattern:
      /\bspam\b|unsolicited|bulk (?:e-?mail|mail|advertising)|junk mail|spamassassin|content (?:filter|rejected|denied)|message (?:content )?rejected as spam|looks like spam|probable spam|high probability of|rejecting (?:banned|mail) content|blacklisted url|considered (?:as )?(?:spam|unsolicited)|classified as (?:spam|junk)|message (?:was )?(?:identified|detected|determined) as (?:spam|junk)|mail content denied|blocked by (?:policy: no spam|spamassassin)|uribl|surbl|mail rejete\. mail rejected\. \w*506/,
    source: SISIMAI("SpamDetected"),
    example: "550 5.7.1 Message rejected as spam by content filter",
  },
  {
    id: "sending-too-fast",
    reason: "ratelimited",
    pattern:
      /too many (?:connections|concurrent|smtp sessions|sessions|messages|errors|recipients|mails)|rate ?limit|(?:connection|sending|message) rate|throttl|exceeded the max(?:imum)? (?:emails|messages|number)|maximum (?:connection|sending)|(?:per|an) (?:hour|day|minute) (?:limit|quota)|daily (?:message|sending) (?:quota|limit)|temporarily (?:deferred|rate limited)|try (?:again )?later.{0,40}(?:volume|rate)|excessive (?:volume|connections|rate)|unusual (?:rate|volume)|trop de connexions|numerous attempts|connection limit|frequency limited/,
    source: `${SISIMAI("RateLimited")} (v5.6 merge of Speeding and TooManyConn)`,
    example: "421 4.7.0 Too many concurrent SMTP connections from this IP address; please try again later",
  },
  {
    id: "poor-reputation",
    reason: "badreputation",
    pattern: /reputation|sender ?score|senderbase|poor (?:sending )?(?:history|record)/,
    source: SISIMAI("BadReputation"),
    example: "550 5.7.1 Message rejected due to the poor reputation of the sending IP address",
  },
  {
    id: "client-blocked",
    reason: "blocked",
    pattern:
      /blocked|blacklist|black list|blocklist|block list|denylist|\bdnsbl\b|\brbl\b|spamhaus|spamcop|barracuda|sorbs|listed (?:at|in|on|by)|(?:client|your) (?:host|ip|address|network) (?:\S+ )?(?:rejected|refused|denied|is not allowed|not permitted)|connection (?:refused|denied|dropped|reset)|refused to talk to me|not (?:allowed|authorized|permitted) to (?:connect|send mail)|dynamic (?:ip|address|pool)|dialup|residential|helo command rejected|(?:helo|ehlo) .{0,30}(?:rejected|invalid|refused)|go away|host network not allowed|esmtp not accepting connections|hosts with dynamic ip|your ip (?:address )?(?:\S+ )?(?:has been|is)|banned|misconfigured (?:dns|host)/,
    source: SISIMAI("Blocked"),
    example: "554 5.7.1 Connection refused: your IP 192.0.2.1 is on our blocklist",
  },
  {
    id: "receiver-policy",
    reason: "policyviolation",
    pattern:
      /polic(?:y|ies)|illegal attachment|members-only list|closed mailing list|not subscribed to this group|organizational settings|organization policy|message given low priority|protocol violation|captcha|header (?:error|are not accepted)|we do not accept messages containing|not accepting mail with attachments/,
    source: SISIMAI("PolicyViolation"),
    example: "550 5.7.1 Message rejected due to local policy",
  },
  {
    id: "content-format",
    reason: "contenterror",
    pattern:
      /header size exceeds maximum|improper use of 8-bit data|mime complexity|invalid mime headers|improperly-formatted binary content|unnecessary base64 encoding|8-bit data|content (?:error|not acceptable|type not allowed)|media (?:type )?not supported|conversion (?:required|failed)|routing loop detected -- too many received|attachment (?:type )?(?:not allowed|blocked|rejected)/,
    source: `${SISIMAI("ContentError")}; RFC 3463 X.6.x`,
    example: "554 5.6.0 Message header size exceeds maximum permitted",
  },
  {
    id: "security-generic",
    reason: "securityerror",
    pattern:
      /authentication (?:required|failure|failed|credentials invalid|turned on)|unauthenticated senders not allowed|not authorized to (?:send|perform)|verification failure|account not subscribed to ses|dead domain|security (?:violation|policy)|(?:must|need to) authenticate|authentification requise|turn on smtp authentication/,
    source: `${SISIMAI("SecurityError")}; RFC 3463 X.7.x`,
    example: "530 5.7.0 Authentication required",
  },
  {
    id: "server-full",
    reason: "systemfull",
    pattern: /system (?:is )?full|disk (?:is )?full/,
    source: `${SISIMAI("SystemFull")}; RFC 3463 X.3.1`,
    example: "452 4.3.1 Disk full on the mail server",
  },
  {
    id: "network-problem",
    reason: "networkerror",
    pattern:
      /no route to host|host is unreachable|network (?:is )?unreachable|name server|dns (?:lookup|records|error|failure|problem|temporary)|host name lookup failure|host not found, try again|unable to resolve|malformed (?:or unexpected )?name server reply|connection (?:closed|lost|reset)|lost connection|message looping|routing loop|too many hops|hop count exceeded|forwarded more than the maximum|(?:wasn't|was not|unable to) (?:able to )?establish (?:an )?smtp connection|network error/,
    source: `${SISIMAI("NetworkError")}; RFC 3463 X.4.x`,
    example: "connect to mx.example.org[192.0.2.1]:25: No route to host",
  },
  {
    id: "server-error",
    reason: "systemerror",
    pattern:
      /(?:mail|forwarding|aliasing\/forwarding) loop|loops back to myself|local (?:configuration )?error|(?:configuration|config) error|internal (?:server )?error|system error|server error|temporary (?:local )?problem|queue file write error|interrupted system call|can't create user output file|misconfigured|service (?:currently )?unavailable|timeout waiting for input|transaction failed|it encountered an error while being processed|could not load drd|unable to contact ldap|ldap (?:server )?(?:error|failure)/,
    source: `${SISIMAI("SystemError")}; RFC 3463 X.3.x`,
    example: "451 4.3.0 Internal server error, please try again later",
  },
  {
    id: "queue-expired",
    reason: "expired",
    pattern:
      /(?:timed|time) ?out|expired|too long|giving up|gave up|delivery attempts will continue|has been delayed|not (?:been )?(?:delivered|reachable) (?:for|within)|failing for a long time|retry time not reached|server did not respond|unable to deliver (?:message )?after|could not be delivered for more than|could not find a gateway|no answer from host|it has not been collected|failed to deliver to domain|retry timeout exceeded|undeliverable for \d+ days|still undelivered after|will keep trying until|will be retried for \d+ more day|did not accept our requests to connect|delivery failed \d+ attempts/,
    source: `${SISIMAI("Expired")}; RFC 3463 X.4.7`,
    example: "Delivery time expired: message has been in the queue too long",
  },
  {
    id: "destination-accepts-no-mail",
    reason: "notaccept",
    pattern:
      /does not accept (?:any )?mail|(?:host|domain)\/?(?:domain)? does not accept mail|nullmx|null mx|no mx (?:record|found)|doesn't receive email|couldn't find a mail exchanger|no mail exchangers?|indicated no smtp service|no route for current request|smtp protocol returned a permanent error|not accepting (?:network )?messages/,
    source: `${SISIMAI("NotAccept")}; RFC 7505 (null MX); RFC 3463 X.3.2`,
    example: "521 5.3.2 mx.example.org does not accept mail",
  },
  {
    id: "smtp-syntax",
    reason: "syntaxerror",
    pattern:
      /syntax error|incorrectly constructed|malformed address|command (?:not )?(?:recognized|unrecognized)|unrecognized command|bad sequence of commands|line too long|(?:command|parameter) (?:parameter )?not implemented/,
    source: `${SISIMAI("SyntaxError")}; RFC 5321 §4.2.2 (500/501/503)`,
    example: "501 5.5.4 Syntax error in parameters or arguments",
  },
];

export function matchReasonRule(lowerText: string): ReasonRule | null {
  return REASON_RULES.find((rule) => rule.pattern.test(lowerText)) ?? null;
}
