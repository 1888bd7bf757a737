import type { RuleTable } from "../phrase-rule.ts";

/**
 * Sisimai's knowledge of google's servers (rhost): codes and messages that decide a reason there,
 * one per entry, each with the reply or documented message it came from (BSD-2-Clause,
 * github.com/sisimai/go-sisimai rhost/for-google.go; provider page: https://support.google.com/a/answer/3726730).
 */
const SISIMAI = "sisimai go rhost/for-google.go";
const PAGE = "https://support.google.com/a/answer/3726730";

export const GOOGLE_HOST_RULES: RuleTable = {
  id: "host-google",
  hosts: ["aspmx.l.google.com", "gmail-smtp-in.l.google.com"],
  providers: ["google"],
  source: `${SISIMAI}; ${PAGE}`,
  rules: [
    {
      id: "rhost-google-7-24-the-spf-record-of-the-sending-domain",
      reason: "authfailure",
      phrase: "the spf record of the sending domain",
      status: ["x.7.24"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "451 4.7.24 The SPF record of the sending domain has one or more suspicious entries. To protect our users from spam, mail sent from your IP address has been temporarily rate limited. For more information, go to Email sender guidelines. https://support.google.com/mail/answer/81126//authentication",
    },
    {
      id: "rhost-google-7-26-senders-to-authenticate-with-either-spf-or",
      reason: "authfailure",
      phrase: "senders to authenticate with either spf or dkim",
      status: ["x.7.26"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "421 4.7.26 This mail has been rate limited because it is unauthenticated. Gmail requires all senders to authenticate with either SPF or DKIM. Authentication results: DKIM = did not pass SPF domain-name with ip: ip-address = did not pass. To resolve this issue, go to Email sender guidelines.",
    },
    {
      id: "rhost-google-7-26-fails-to-pass-spf-checks-for-an-spf-record",
      reason: "authfailure",
      phrase: "fails to pass spf checks for an spf record with a hard fail",
      status: ["x.7.26"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "550 5.7.26 This message fails to pass SPF checks for an SPF record with a hard fail policy (-all). To best protect our users from spam and phishing, the message has been blocked. Please visit https://support.google.com/mail/answer/81126 for more information.",
    },
    {
      id: "rhost-google-7-26-has-an-spf-record-with-a-hard-fail-policy",
      reason: "authfailure",
      phrase: "has an spf record with a hard fail policy",
      status: ["x.7.26"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "550 5.7.26 The MAIL FROM domain [domain-name] has an SPF record with a hard fail policy (-all) but it fails to pass SPF checks with the ip: [ip-address]. To best protect our users from spam and phishing, the message has been blocked. For more information, go to Email sender guidelines.",
    },
    {
      id: "rhost-google-7-26-is-not-accepted-due-to-domain-s-dmarc-polic",
      reason: "authfailure",
      phrase: "is not accepted due to domain's dmarc policy",
      status: ["x.7.26"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "451 4.7.26 Unauthenticated email from domain-name is not accepted due to domain's DMARC policy, but temporary DNS failures prevent authentication. Please contact the administrator of domain-name domain if this was a legitimate mail. To learn about the DMARC initiative, go to https://support.google.com/mail/?p=DmarcRejection",
    },
    {
      id: "rhost-google-7-1-fails-to-pass-authentication-checks",
      reason: "authfailure",
      phrase: "fails to pass authentication checks",
      status: ["x.7.1"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "550 5.7.26 This message does not have authentication information or fails to pass authentication checks (SPF or DKIM). To best protect our users from spam, the message has been blocked. Please visit https://support.google.com/mail/answer/81126 for more information.",
    },
    {
      id: "rhost-google-7-26-fails-to-pass-authentication-checks",
      reason: "authfailure",
      phrase: "fails to pass authentication checks",
      status: ["x.7.26"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "550 5.7.26 This message does not have authentication information or fails to pass authentication checks (SPF or DKIM). To best protect our users from spam, the message has been blocked. Please visit https://support.google.com/mail/answer/81126 for more information.",
    },
    {
      id: "rhost-google-7-27-senders-to-authenticate-with-spf",
      reason: "authfailure",
      phrase: "senders to authenticate with spf",
      status: ["x.7.27"],
      source: `${SISIMAI}; ${PAGE}`,
      example: null,
    },
    {
      id: "rhost-google-7-27-senders-to-authenticate-their-email-with-sp",
      reason: "authfailure",
      phrase: "senders to authenticate their email with spf",
      status: ["x.7.27"],
      source: `${SISIMAI}; ${PAGE}`,
      example: null,
    },
    {
      id: "rhost-google-7-30-senders-to-authenticate-their-email-with-dk",
      reason: "authfailure",
      phrase: "senders to authenticate their email with dkim",
      status: ["x.7.30"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "421 4.7.30 Your email has been rate limited because DKIM authentication didn't pass for this message. Gmail requires all email bulk senders to authenticate their email with DKIM. Authentication results: DKIM = Did not pass.",
    },
    {
      id: "rhost-google-7-30-senders-to-authenticate-with-dkim",
      reason: "authfailure",
      phrase: "senders to authenticate with dkim",
      status: ["x.7.30"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "550 5.7.30 This mail has been blocked because DKIM does not pass. Gmail requires all large senders to authenticate with DKIM. Authentication results: DKIM = did not pass. For instructions on setting up DKIM authentication, go to Turn on DKIM for your domain.",
    },
    {
      id: "rhost-google-7-32-aligned-with-either-the-authenticated-spf-o",
      reason: "authfailure",
      phrase: "aligned with either the authenticated spf or dkim",
      status: ["x.7.32"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "421 4.7.32 Your email has been rate limited because the From: header (RFC5322) in this message isn't aligned with either the authenticated SPF or DKIM organizational domain.",
    },
    {
      id: "rhost-google-7-0-very-low-reputation-of-the-sending-ip-addres",
      reason: "badreputation",
      phrase: "very low reputation of the sending ip address",
      status: ["x.7.0"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "421 4.7.0 This message is suspicious due to the very low reputation of the sending IP address/domain. To protect our users from spam, mail sent from your IP address has been temporarily rate limited. For more information, go to Why has Gmail blocked my messages?. https://support.google.com/mail/answer/188131",
    },
    {
      id: "rhost-google-7-0-very-low-reputation-of-the-sending-domain",
      reason: "badreputation",
      phrase: "very low reputation of the sending domain",
      status: ["x.7.0"],
      source: `${SISIMAI}; ${PAGE}`,
      example: null,
    },
    {
      id: "rhost-google-7-1-due-to-the-very-low-reputation-of-the-sendin",
      reason: "badreputation",
      phrase: "due to the very low reputation of the sending ip address",
      status: ["x.7.1"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "550 5.7.1 Our system has detected that this message is likely suspicious due to the very low reputation of the sending IP address/domain. To best protect our users from spam, the message has been blocked. Please visit https://support.google.com/mail/answer/188131 for more information.",
    },
    {
      id: "rhost-google-7-1-due-to-the-very-low-reputation-of-the-sendin-2",
      reason: "badreputation",
      phrase: "due to the very low reputation of the sending domain",
      status: ["x.7.1"],
      source: `${SISIMAI}; ${PAGE}`,
      example: null,
    },
    {
      id: "rhost-google-7-0-ip-not-in-whitelist-for-rcpt-domain",
      reason: "blocked",
      phrase: "ip not in whitelist for rcpt domain",
      status: ["x.7.0"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "421 4.7.0 IP not in whitelist for RCPT domain, closing connection. For more information, go to Allowlists, denylists, and approved senders. https://support.google.com/a/answer/60752",
    },
    {
      id: "rhost-google-7-0-try-again-later-closing-connection",
      reason: "blocked",
      phrase: "try again later, closing connection.",
      status: ["x.7.0"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "421 4.7.0 Try again later, closing connection. This usually indicates a Denial of Service (DoS) for the SMTP relay at the HELO stage. https://support.google.com/a/answer/3221692",
    },
    {
      id: "rhost-google-5-4-empty-helo-ehlo-argument-not-allowed",
      reason: "blocked",
      phrase: "empty helo/ehlo argument not allowed",
      status: ["x.5.4"],
      source: `${SISIMAI}; ${PAGE}`,
      example: null,
    },
    {
      id: "rhost-google-5-4-helo-ehlo-argument-is-invalid",
      reason: "blocked",
      phrase: "helo/ehlo argument is invalid",
      status: ["x.5.4"],
      source: `${SISIMAI}; ${PAGE}`,
      example: "501 5.5.4 HELO/EHLO argument is invalid. https://support.google.com/mail/?p=helo",
    },
    {
      id: "rhost-google-7-0-an-unusual-rate-of-unsolicited-mail",
      reason: "blocked",
      phrase: "an unusual rate of unsolicited mail",
      status: ["x.7.0"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "550 5.7.1 Our system has detected an unusual rate of unsolicited mail originating from your IP address. To protect our users from spam, mail sent from your IP address has been blocked. Review https://support.google.com/mail/answer/81126",
    },
    {
      id: "rhost-google-7-28-an-unusual-rate-of-mail",
      reason: "blocked",
      phrase: "an unusual rate of mail",
      status: ["x.7.28"],
      source: `${SISIMAI}; ${PAGE}`,
      example: "421 4.7.28 Gmail has detected an unusual rate of mail (originating from)",
    },
    {
      id: "rhost-google-7-1-an-unusual-rate-of-unsolicited-mail",
      reason: "blocked",
      phrase: "an unusual rate of unsolicited mail",
      status: ["x.7.1"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "550 5.7.1 Our system has detected an unusual rate of unsolicited mail originating from your IP address. To protect our users from spam, mail sent from your IP address has been blocked. Review https://support.google.com/mail/answer/81126",
    },
    {
      id: "rhost-google-7-28-an-unusual-rate-of-unsolicited-mail",
      reason: "blocked",
      phrase: "an unusual rate of unsolicited mail",
      status: ["x.7.28"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "550 5.7.28 There is an unusual rate of unsolicited mail originating from your IP address. To protect our users from spam, mail sent from your IP address has been blocked. To review our bulk email senders guidelines, go to Email sender guidelines.",
    },
    {
      id: "rhost-google-2-3-exceeded-google-s-message-size-limits",
      reason: "emailtoolarge",
      phrase: "exceeded google's message size limits",
      status: ["x.2.3"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "552 5.2.3 Your message exceeded Google's message size limits. For more information, visit https://support.google.com/mail/answer/6584",
    },
    {
      id: "rhost-google-3-4-exceeds-google-s-limit-of-limit-attachments",
      reason: "emailtoolarge",
      phrase: "exceeds google's limit of limit attachments.",
      status: ["x.3.4"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "552 5.3.4 The number of attachments (num-attachments) exceeds Google's limit of limit attachments. To view our attachment size guidelines, go to Gmail receiving limits in Google Workspace. https://support.google.com/a/answer/1366776",
    },
    {
      id: "rhost-google-3-4-your-message-exceeded-google-s-message-heade",
      reason: "emailtoolarge",
      phrase: "your message exceeded google's message header size limits",
      status: ["x.3.4"],
      source: `${SISIMAI}; ${PAGE}`,
      example: null,
    },
    {
      id: "rhost-google-3-4-bytes-per-individual-header-size",
      reason: "emailtoolarge",
      phrase: "bytes per individual header size",
      status: ["x.3.4"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "552 5.3.4 The size of the <header name> header value (size bytes) exceeds Google's limit of limit bytes per individual header size. To view our header size guidelines, go to Gmail message header limits https://support.google.com/a?p=header-limits",
    },
    {
      id: "rhost-google-3-4-exceeds-google-s-header-name-limit-of",
      reason: "emailtoolarge",
      phrase: "exceeds google's header name limit of",
      status: ["x.3.4"],
      source: `${SISIMAI}; ${PAGE}`,
      example: null,
    },
    {
      id: "rhost-google-3-4-exceeds-google-s-message-header-size-limit",
      reason: "emailtoolarge",
      phrase: "exceeds google's message header size limit",
      status: ["x.3.4"],
      source: `${SISIMAI}; ${PAGE}`,
      example: null,
    },
    {
      id: "rhost-google-7-0-connection-expired",
      reason: "expired",
      phrase: "connection expired",
      status: ["x.7.0"],
      source: `${SISIMAI}; ${PAGE}`,
      example: "421 4.7.0 Connection expired, try reconnecting. For more information, go to About",
    },
    {
      id: "rhost-google-4-2-timeout-closing-connection",
      reason: "expired",
      phrase: "timeout - closing connection",
      status: ["x.4.2"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "451 4.4.2 Timeout - closing connection. For more information, go to About SMTP error messages. https://support.google.com/a/answer/3221692",
    },
    {
      id: "rhost-google-7-0-must-issue-a-starttls-command-first",
      reason: "failedstarttls",
      phrase: "must issue a starttls command first",
      status: ["x.7.0"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "530 5.7.0 Must issue a STARTTLS command first. For more information, go to About SMTP error messages and review RFC 3207 specifications.",
    },
    {
      id: "rhost-google-5-1-starttls-may-not-be-repeated",
      reason: "failedstarttls",
      phrase: "starttls may not be repeated",
      status: ["x.5.1"],
      source: `${SISIMAI}; ${PAGE}`,
      example: null,
    },
    {
      id: "rhost-google-7-0-tls-required-for-rcpt-domain",
      reason: "failedstarttls",
      phrase: "tls required for rcpt domain",
      status: ["x.7.0"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "421 4.7.0 TLS required for RCPT domain, closing connection. For more information, go to Email encryption in transit. https://support.google.com/mail/answer/6330403",
    },
    {
      id: "rhost-google-7-29-senders-to-use-tls-ssl-for-smtp",
      reason: "failedstarttls",
      phrase: "senders to use tls/ssl for smtp",
      status: ["x.7.29"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "421 4.7.29 Your email has been rate limited because this message wasn't sent over a TLS connection. Gmail requires all bulk email senders to use TLS/SSL for SMTP connections.",
    },
    {
      id: "rhost-google-2-2-inbox-is-out-of-storage-space",
      reason: "mailboxfull",
      phrase: "inbox is out of storage space",
      status: ["x.2.2"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "452 4.2.2 The recipient's inbox is out of storage space. Please direct the recipient to https://support.google.com/mail/?p=OverQuotaTemp",
    },
    {
      id: "rhost-google-2-2-is-over-quota",
      reason: "mailboxfull",
      phrase: "is over quota",
      status: ["x.2.2"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "452 4.2.2 The email account that you tried to reach is over quota. Please direct the recipient to Clear Google Drive space & increase storage.",
    },
    {
      id: "rhost-google-7-1-email-quota-exceeded",
      reason: "mailboxfull",
      phrase: "email quota exceeded",
      status: ["x.7.1"],
      source: `${SISIMAI}; ${PAGE}`,
      example: null,
    },
    {
      id: "rhost-google-3-4-exceeded-google-s-message-size-limits",
      reason: "emailtoolarge",
      phrase: "exceeded google's message size limits",
      status: ["x.3.4"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "552 5.2.3 Your message exceeded Google's message size limits. For more information, visit https://support.google.com/mail/answer/6584",
    },
    {
      id: "rhost-google-3-4-exceeds-google-s-message-size-limit-of",
      reason: "emailtoolarge",
      phrase: "exceeds google's message size limit of",
      status: ["x.3.4"],
      source: `${SISIMAI}; ${PAGE}`,
      example: null,
    },
    {
      id: "rhost-google-4-6-message-exceeded-50-hops",
      reason: "networkerror",
      phrase: "message exceeded 50 hops",
      status: ["x.4.6"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "554 5.4.6 Message exceeded 50 hops, this may indicate a mail loop. For more information, go to Gmail Help. https://support.google.com/mail/?p=MailLoop",
    },
    {
      id: "rhost-google-6-0-message-exceeded-50-hops",
      reason: "networkerror",
      phrase: "message exceeded 50 hops",
      status: ["x.6.0"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "554 5.4.6 Message exceeded 50 hops, this may indicate a mail loop. For more information, go to Gmail Help. https://support.google.com/mail/?p=MailLoop",
    },
    {
      id: "rhost-google-7-0-mail-relay-denied",
      reason: "norelaying",
      phrase: "mail relay denied",
      status: ["x.7.0"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "550 5.7.0 Mail relay denied <ip-address>. Invalid credentials for relay for one of the domains in: <domain-name> (as obtained from HELO and MAIL FROM). Email is being sent from a domain or IP address which isn't registered in your Workspace account. Please login to your Workspace account and verify that your sending device IP address has been registered within the Workspace SMTP Relay Settings. For more information, go to SMTP relay service error messages.",
    },
    {
      id: "rhost-google-7-1-invalid-credentials-for-relay",
      reason: "norelaying",
      phrase: "invalid credentials for relay",
      status: ["x.7.1"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "550 5.7.1 Invalid credentials for relay <ip-address>. The IP address you've registered in your Workspace SMTP Relay service doesn't match the domain of the account this email is being sent from. If you are trying to relay mail from a domain that isn't registered under your Workspace account or has empty envelope-from:, you must configure your mail server either to use SMTP AUTH to identify the sending domain or to present one of your domain names in the HELO or EHLO command. For more information, go to SMTP relay service error messages.",
    },
    {
      id: "rhost-google-7-1-is-not-authorized-to-send-email-directly-to",
      reason: "norelaying",
      phrase: "is not authorized to send email directly to our servers",
      // No status gate: Google's page and Sisimai's comment quote the reply with "7.7.1", which is no status
      // (RFC 3463 classes are 2, 4, 5); the words are Google's alone, on its servers.
      reply: [550],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "550 7.7.1 The IP you're using to send mail is not authorized to send email directly to our servers. Use the SMTP relay at your service provider instead. For more information, go to 'The IP you're using to send email is not authorized...'.",
    },
    {
      id: "rhost-google-7-1-missing-a-valid-address-in-the-from-header",
      reason: "notcompliantrfc",
      phrase: "missing a valid address in the from: header",
      status: ["x.7.1"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "550 5.7.1 Messages missing a valid address in the From: header, or having no From: header, are not accepted. For more information, go to Email sender guidelines and review RFC 5322 specifications.",
    },
    {
      id: "rhost-google-7-1-multiple-addresses-in-from-header-are-not-ac",
      reason: "notcompliantrfc",
      phrase: "multiple addresses in from: header are not accepted",
      status: ["x.7.1"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "550 5.7.1 [2401:2500:102:3032:192.0.2.222 13] Messages with multiple addresses in From: header are not accepted. v14si1155795plk.134 - gsmtp",
      exampleSource: "github.com/sisimai/set-of-emails maildir/bsd/lhost-postfix-28.eml",
    },
    {
      id: "rhost-google-7-1-is-not-rfc-5322-compliant",
      reason: "notcompliantrfc",
      phrase: "is not rfc 5322 compliant",
      status: ["x.7.1"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "550 5.7.1 This message is not RFC 5322 compliant because it has duplicate headers. To reduce the amount of spam sent to Gmail, this message has been blocked. For more information, go to Email sender guidelines and review RFC 5322 specifications.",
    },
    {
      id: "rhost-google-7-1-missing-a-valid-message-id-header",
      reason: "notcompliantrfc",
      phrase: "missing a valid message-id: header",
      status: ["x.7.1"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "550 5.7.1 Messages missing a valid Message-ID: header are not accepted. For more information, go to Email sender guidelines and review RFC 5322 specifications.",
    },
    {
      id: "rhost-google-7-1-contains-a-unicode-character-in-a-disallowed",
      reason: "notcompliantrfc",
      phrase: "contains a unicode character in a disallowed header",
      status: ["x.7.1"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "550 5.7.1 The message contains a unicode character in a disallowed header. To review our message and header content guidelines, go to File types blocked in Gmail. https://support.google.com/mail/?p=BlockedMessage",
    },
    {
      id: "rhost-google-7-1-encoded-word-syntax-is-not-permitted",
      reason: "notcompliantrfc",
      phrase: "encoded-word syntax is not permitted",
      status: ["x.7.1"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "550 5.7.1 Encoded-word syntax is not permitted in message header header-name. To reduce the amount of spam sent to Gmail, this message has been blocked. For more information, go to Email sender guidelines and review RFC 5322 specifications.",
    },
    {
      id: "rhost-google-1-7-is-not-a-valid-rfc-5321-address",
      reason: "notcompliantrfc",
      phrase: "is not a valid rfc 5321 address",
      status: ["x.1.7"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "553 5.1.7 The sender address address is not a valid RFC 5321 address. For more information, go to About SMTP error messages and review RFC 5321 specifications.",
    },
    {
      id: "rhost-google-6-0-mail-message-is-malformed",
      reason: "notcompliantrfc",
      phrase: "mail message is malformed",
      status: ["x.6.0"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "554 5.6.0 Mail message is malformed. Not accepted. For more information, go to Email sender guidelines and review RFC 5322 specifications.",
    },
    {
      id: "rhost-google-7-0-illegal-attachment-on-your-message",
      reason: "policyviolation",
      phrase: "illegal attachment on your message",
      status: ["x.7.0"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "552 5.7.0 Our system detected an illegal attachment on your message. Please visit http://mail.google.com/support/bin/answer.py?answer=6590 to review our attachment guidelines.",
    },
    {
      id: "rhost-google-7-0-blocked-because-its-content-presents-a-poten",
      reason: "policyviolation",
      phrase: "blocked because its content presents a potential security issue",
      status: ["x.7.0"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "552 5.7.0 This message was blocked because its content presents a potential security issue. Please visit https://support.google.com/mail/?p=BlockedMessage to review our message content and attachment content guidelines.",
    },
    {
      id: "rhost-google-7-1-you-are-sending-to-or-from-has-a-policy-that",
      reason: "policyviolation",
      phrase: "you are sending to (or from) has a policy that prohibited",
      status: ["x.7.1"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "550 5.7.1 The user or domain that you are sending to (or from) has a policy that prohibited the mail that you sent. Please contact your domain administrator for further details. For more information, visit https://support.google.com/a/answer/172179",
    },
    {
      id: "rhost-google-7-28-sending-messages-with-the-same-message-id",
      reason: "policyviolation",
      phrase: "sending messages with the same message-id:",
      status: ["x.7.28"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "421 4.7.28 Gmail has detected this message exceeded its quota for sending messages with the same Message-ID:. To best protect our users, the message has been temporarily rejected. For more information, go to Why has Gmail blocked my messages?. https://support.google.com/mail/answer/188131",
    },
    {
      id: "rhost-google-7-0-mail-sending-denied",
      reason: "rejected",
      phrase: "mail sending denied",
      status: ["x.7.0"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "550 5.7.0, Mail Sending denied. This error occurs if the sender account is disabled or not registered within your Google Workspace domain.",
    },
    {
      id: "rhost-google-7-1-unauthenticated-email-is-not-accepted",
      reason: "rejected",
      phrase: "unauthenticated email is not accepted",
      status: ["x.7.1"],
      source: `${SISIMAI}; ${PAGE}`,
      example: null,
    },
    {
      id: "rhost-google-7-0-does-not-have-a-ptr-record",
      reason: "requireptr",
      phrase: "does not have a ptr record",
      status: ["x.7.0"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "421 4.7.0 The IP address sending this message does not have a PTR record, or the corresponding forward DNS entry does not point to the sending IP. To protect our users from spam, mail sent from your IP address has been temporarily rate limited. For more information, go to Email sender guidelines.",
    },
    {
      id: "rhost-google-7-23-have-a-ptr-record-or-the-ptr-record",
      reason: "requireptr",
      phrase: " have a ptr record, or the ptr record",
      status: ["x.7.23"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "421 4.7.23 The sending IP address for this message doesn't have a PTR record, or the PTR record's forward DNS entry doesn't match the sending IP address. To protect users from spam, your email has been temporarily rate limited.",
    },
    {
      id: "rhost-google-7-1-does-not-meet-ipv6-sending-guidelines-regard",
      reason: "requireptr",
      phrase: "does not meet ipv6 sending guidelines regarding ptr records and authentication",
      status: ["x.7.1"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "550 5.7.1 This message does not meet IPv6 sending guidelines regarding PTR records and authentication. For more information, go to Email sender guidelines. https://support.google.com/mail/?p=IPv6AuthError",
    },
    {
      id: "rhost-google-7-25-does-not-have-a-ptr-record",
      reason: "requireptr",
      phrase: "does not have a ptr record",
      status: ["x.7.25"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "550 5.7.25 The IP address sending this message does not have a PTR record setup, or the corresponding forward DNS entry does not point to the sending IP. As a policy, Gmail does not accept messages from IPs with missing PTR records. For more information, go to Email sender guidelines.",
    },
    {
      id: "rhost-google-7-25-does-not-match-the-ip-address-of-the-hostna",
      reason: "requireptr",
      phrase: "does not match the ip address of the hostname",
      status: ["x.7.25"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "550 5.7.25 The sending IP does not match the IP address of the hostname specified in the pointer (PTR) record. For more information, go to Email sender guidelines.",
    },
    {
      id: "rhost-google-7-0-too-many-login-attempts",
      reason: "securityerror",
      phrase: "too many login attempts",
      status: ["x.7.0"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "454 4.7.0 Too many login attempts, please try again later. For more information, go to Add Gmail to another email client. https://support.google.com/mail/answer/7126229",
    },
    {
      id: "rhost-google-5-2-cannot-decode-response",
      reason: "securityerror",
      phrase: "cannot decode response",
      status: ["x.5.2"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "501 5.5.2 Syntax error, cannot decode response. For more information, go to About SMTP error messages.",
    },
    {
      id: "rhost-google-7-0-no-identity-changes-permitted",
      reason: "securityerror",
      phrase: "no identity changes permitted",
      status: ["x.7.0"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "503 5.7.0 No identity changes permitted. For more information, go to About SMTP error messages.",
    },
    {
      id: "rhost-google-5-1-authentication-required",
      reason: "securityerror",
      phrase: "authentication required.",
      status: ["x.5.1"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "530 5.5.1 Authentication Required. For more information, visit https://support.google.com/accounts/troubleshooter/2402620",
    },
    {
      id: "rhost-google-7-0-authentication-required",
      reason: "securityerror",
      phrase: "authentication required.",
      status: ["x.7.0"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "530 5.5.1 Authentication Required. For more information, visit https://support.google.com/accounts/troubleshooter/2402620",
    },
    {
      id: "rhost-google-7-1-application-specific-password-required",
      reason: "securityerror",
      phrase: "application-specific password required",
      status: ["x.7.1"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "535 5.7.1 Application-specific password required. For more information, visit https://support.google.com/accounts/answer/185833",
    },
    {
      id: "rhost-google-7-9-application-specific-password-required",
      reason: "securityerror",
      phrase: "application-specific password required",
      status: ["x.7.9"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "535 5.7.1 Application-specific password required. For more information, visit https://support.google.com/accounts/answer/185833",
    },
    {
      id: "rhost-google-7-1-please-log-in-with-your-web-browser",
      reason: "securityerror",
      phrase: "please log in with your web browser",
      status: ["x.7.1"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "535 5.7.1 Please log in with your web browser and then try again. For more information, visit https://support.google.com/mail/bin/accounts/answer/78754",
    },
    {
      id: "rhost-google-7-9-please-log-in-with-your-web-browser",
      reason: "securityerror",
      phrase: "please log in with your web browser",
      status: ["x.7.9"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "535 5.7.1 Please log in with your web browser and then try again. For more information, visit https://support.google.com/mail/bin/accounts/answer/78754",
    },
    {
      id: "rhost-google-7-14-please-log-in-through-your-web-browser",
      reason: "securityerror",
      phrase: "please log in through your web browser",
      status: ["x.7.14"],
      source: `${SISIMAI}; ${PAGE}`,
      example: null,
    },
    {
      id: "rhost-google-7-1-username-and-password-not-accepted",
      reason: "securityerror",
      phrase: "username and password not accepted",
      status: ["x.7.1"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "535 5.7.1 Username and Password not accepted. For more information, visit https://support.google.com/accounts/troubleshooter/2402620",
    },
    {
      id: "rhost-google-7-8-username-and-password-not-accepted",
      reason: "securityerror",
      phrase: "username and password not accepted",
      status: ["x.7.8"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "535 5.7.1 Username and Password not accepted. For more information, visit https://support.google.com/accounts/troubleshooter/2402620",
    },
    {
      id: "rhost-google-7-0-due-to-the-nature-of-the-content-or-the-link",
      reason: "spamdetected",
      phrase: "due to the nature of the content or the links within",
      status: ["x.7.0"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "421 4.7.0 This message is suspicious due to the nature of the content or the links within. To best protect our users from spam, the message has been blocked. For more information, go to Why has Gmail blocked my messages?. https://support.google.com/mail/answer/188131",
    },
    {
      id: "rhost-google-7-1-likely-unsolicited-mail",
      reason: "spamdetected",
      phrase: "likely unsolicited mail",
      status: ["x.7.1"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "550 5.7.1 Our system has detected that this message is likely unsolicited mail. To reduce the amount of spam sent to Gmail, this message has been blocked. For more information, visit https://support.google.com/mail/answer/188131",
    },
    {
      id: "rhost-google-2-1-is-receiving-mail-too-quickly",
      reason: "ratelimited",
      phrase: "is receiving mail too quickly",
      status: ["x.2.1"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "450 4.2.1 The user you are trying to contact is receiving mail too quickly. Please resend your message at a later time. If the user is able to receive mail at that time, your message will be delivered. For more information, visit https://support.google.com/mail/answer/22839",
    },
    {
      id: "rhost-google-2-1-peak-smtp-relay-limit-exceeded-for-customer",
      reason: "ratelimited",
      phrase: "peak smtp relay limit exceeded for customer",
      status: ["x.2.1"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "450 4.2.1 Peak SMTP relay limit exceeded for customer. This is a temporary error. For more information on SMTP relay limits, please contact your administrator or visit https://support.google.com/a/answer/6140680",
    },
    {
      id: "rhost-google-2-1-rate-that-prevents-additional-messages-from",
      reason: "ratelimited",
      phrase: "rate that prevents additional messages from being delivered",
      status: ["x.2.1"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "450 4.2.1 The user you are trying to contact is receiving mail at a rate that prevents additional messages from being delivered. Please resend your message at a later time. If the user is able to receive mail at that time, your message will be delivered. For more information, visit https://support.google.com/mail/answer/6592",
    },
    {
      id: "rhost-google-4-5-daily-sending-quota-exceeded",
      reason: "ratelimited",
      phrase: "daily sending quota exceeded",
      status: ["x.4.5"],
      source: `${SISIMAI}; ${PAGE}`,
      example: null,
    },
    {
      id: "rhost-google-4-5-daily-user-sending-limit-exceeded",
      reason: "ratelimited",
      phrase: "daily user sending limit exceeded",
      status: ["x.4.5"],
      source: `${SISIMAI}; ${PAGE}`,
      example: null,
    },
    {
      id: "rhost-google-4-5-daily-smtp-relay-limit-exceeded-for",
      reason: "ratelimited",
      phrase: "daily smtp relay limit exceeded for",
      status: ["x.4.5"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "550 5.4.5 Daily SMTP relay limit exceeded for user. For more information on SMTP relay sending limits please contact your administrator or visit SMTP relay service error messages. https://support.google.com/a/answer/6140680",
    },
    {
      id: "rhost-google-7-1-daily-smtp-relay-limit-exceeded-for",
      reason: "ratelimited",
      phrase: "daily smtp relay limit exceeded for",
      status: ["x.7.1"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "550 5.4.5 Daily SMTP relay limit exceeded for user. For more information on SMTP relay sending limits please contact your administrator or visit SMTP relay service error messages. https://support.google.com/a/answer/6140680",
    },
    {
      id: "rhost-google-7-1-daily-smtp-relay-sending-limit-exceeded-for",
      reason: "ratelimited",
      phrase: "daily smtp relay sending limit exceeded for",
      status: ["x.7.1"],
      source: `${SISIMAI}; ${PAGE}`,
      example: null,
    },
    {
      id: "rhost-google-7-1-this-mail-has-been-rate-limited",
      reason: "ratelimited",
      phrase: "this mail has been rate limited",
      status: ["x.7.1"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "421 4.7.26 This mail has been rate limited because it is unauthenticated. Gmail requires all senders to authenticate with either SPF or DKIM. Authentication results: DKIM = did not pass SPF domain-name with ip: ip-address = did not pass. To resolve this issue, go to Email sender guidelines.",
    },
    {
      id: "rhost-google-2-1-account-that-you-tried-to-reach-is-disabled",
      reason: "suspend",
      phrase: "account that you tried to reach is disabled",
      status: ["x.2.1"],
      source: `${SISIMAI}; ${PAGE}`,
      example: "550 5.2.1 The email account that you tried to reach is disabled. g0000000000ggg.00",
      exampleSource: "github.com/sisimai/set-of-emails maildir/bsd/rhost-google-01.eml",
    },
    {
      id: "rhost-google-2-1-account-that-you-tried-to-reach-is-inactive",
      reason: "suspend",
      phrase: "account that you tried to reach is inactive",
      status: ["x.2.1"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "550 5.2.1 The email account that you tried to reach is inactive. For more information, go to https://support.google.com/mail/?p=DisabledUser",
    },
    {
      id: "rhost-google-5-0-smtp-protocol-violation",
      reason: "syntaxerror",
      phrase: "smtp protocol violation",
      status: ["x.5.0"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "523 5.7.10 SMTP protocol violation, no commands allowed to pipeline after STARTTLS. For more information, go to About SMTP error messages and review RFC 3207 specifications.",
    },
    {
      id: "rhost-google-7-10-smtp-protocol-violation",
      reason: "syntaxerror",
      phrase: "smtp protocol violation",
      status: ["x.7.10"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "523 5.7.10 SMTP protocol violation, no commands allowed to pipeline after STARTTLS. For more information, go to About SMTP error messages and review RFC 3207 specifications.",
    },
    {
      id: "rhost-google-5-4-optional-argument-not-permitted",
      reason: "syntaxerror",
      phrase: "optional argument not permitted",
      status: ["x.5.4"],
      source: `${SISIMAI}; ${PAGE}`,
      example: null,
    },
    {
      id: "rhost-google-7-11-syntax-error",
      reason: "syntaxerror",
      phrase: "syntax error",
      status: ["x.7.11"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "501 5.7.11 Syntax error (no parameters allowed). For more information, go to About SMTP error messages and review RFC 3207 specifications.",
    },
    {
      id: "rhost-google-5-2-syntax-error",
      reason: "syntaxerror",
      phrase: "syntax error",
      status: ["x.5.2"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "501 5.7.11 Syntax error (no parameters allowed). For more information, go to About SMTP error messages and review RFC 3207 specifications.",
    },
    {
      id: "rhost-google-5-1-too-many-unrecognized-commands-goodbye",
      reason: "syntaxerror",
      phrase: "too many unrecognized commands, goodbye",
      status: ["x.5.1"],
      source: `${SISIMAI}; ${PAGE}`,
      example: null,
    },
    {
      id: "rhost-google-5-1-unimplemented-command",
      reason: "syntaxerror",
      phrase: "unimplemented command",
      status: ["x.5.1"],
      source: `${SISIMAI}; ${PAGE}`,
      example: null,
    },
    {
      id: "rhost-google-5-1-unrecognized-command",
      reason: "syntaxerror",
      phrase: "unrecognized command",
      status: ["x.5.1"],
      source: `${SISIMAI}; ${PAGE}`,
      example: null,
    },
    {
      id: "rhost-google-5-1-bad-sequence-of-commands",
      reason: "syntaxerror",
      phrase: "bad sequence of commands",
      status: ["x.5.1"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "503 5.5.1 Bad sequence of commands. For more information, go to About SMTP error messages and review RFC 5321 specifications.",
    },
    {
      id: "rhost-google-5-1-ehlo-helo-first",
      reason: "syntaxerror",
      phrase: "ehlo/helo first",
      status: ["x.5.1"],
      source: `${SISIMAI}; ${PAGE}`,
      example: null,
    },
    {
      id: "rhost-google-5-1-mail-first",
      reason: "syntaxerror",
      phrase: "mail first",
      status: ["x.5.1"],
      source: `${SISIMAI}; ${PAGE}`,
      example: null,
    },
    {
      id: "rhost-google-5-1-rcpt-first",
      reason: "syntaxerror",
      phrase: "rcpt first",
      status: ["x.5.1"],
      source: `${SISIMAI}; ${PAGE}`,
      example: "503 5.5.1 RCPT first. g0000000000ggg.00",
      exampleSource: "github.com/sisimai/set-of-emails maildir/bsd/rhost-google-01.eml",
    },
    {
      id: "rhost-google-5-1-no-data-after-bdat",
      reason: "syntaxerror",
      phrase: "no data after bdat",
      status: ["x.5.1"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "503 5.5.1 No DATA after BDAT. A mail transaction protocol command was issued out of sequence. For more information, go to About SMTP error messages and review RFC 3030 specifications.",
    },
    {
      id: "rhost-google-7-4-unrecognized-authentication-type",
      reason: "syntaxerror",
      phrase: "unrecognized authentication type",
      status: ["x.7.4"],
      source: `${SISIMAI}; ${PAGE}`,
      example: null,
    },
    {
      id: "rhost-google-7-4-xoauth-is-no-longer-supported",
      reason: "syntaxerror",
      phrase: "xoauth is no longer supported",
      status: ["x.7.4"],
      source: `${SISIMAI}; ${PAGE}`,
      example: null,
    },
    {
      id: "rhost-google-7-0-too-many-unauthenticated-commands",
      reason: "syntaxerror",
      phrase: "too many unauthenticated commands",
      status: ["x.7.0"],
      source: `${SISIMAI}; ${PAGE}`,
      example: null,
    },
    {
      id: "rhost-google-3-0-temporary-system-problem",
      reason: "systemerror",
      phrase: "temporary system problem",
      status: ["x.3.0"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "454 4.7.0 Cannot authenticate due to a temporary system problem. Try again later. For more information, go to About SMTP error messages. https://support.google.com/a/answer/3221692",
    },
    {
      id: "rhost-google-7-0-temporary-system-problem",
      reason: "systemerror",
      phrase: "temporary system problem",
      status: ["x.7.0"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "454 4.7.0 Cannot authenticate due to a temporary system problem. Try again later. For more information, go to About SMTP error messages. https://support.google.com/a/answer/3221692",
    },
    {
      id: "rhost-google-4-5-server-busy",
      reason: "systemerror",
      phrase: "server busy",
      status: ["x.4.5"],
      source: `${SISIMAI}; ${PAGE}`,
      example: null,
    },
    {
      id: "rhost-google-3-0-multiple-destination-domains-per-transaction",
      reason: "systemerror",
      phrase: "multiple destination domains per transaction is unsupported",
      status: ["x.3.0"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "451 4.3.0 Multiple destination domains per transaction is unsupported. Please try again. For more information, go to About SMTP error messages and review RFC 5321 specifications. https://support.google.com/a/answer/3221692",
    },
    {
      id: "rhost-google-3-0-mail-server-has-temporarily-rejected-this-me",
      reason: "systemerror",
      phrase: "mail server has temporarily rejected this message",
      status: ["x.3.0"],
      source: `${SISIMAI}; ${PAGE}`,
      example: null,
    },
    {
      id: "rhost-google-3-0-mail-server-temporarily-rejected-message",
      reason: "systemerror",
      phrase: "mail server temporarily rejected message",
      status: ["x.3.0"],
      source: `${SISIMAI}; ${PAGE}`,
      example: null,
    },
    {
      id: "rhost-google-5-3-domain-policy-size-per-transaction-exceeded",
      reason: "systemerror",
      phrase: "domain policy size per transaction exceeded",
      status: ["x.5.3"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "452 4.5.3 Domain policy size per transaction exceeded, please try this recipient in a separate transaction. This message means the email policy size (size of policies, number of policies, or both) for the recipient domain has been exceeded. https://support.google.com/a/answer/7282433",
    },
    {
      id: "rhost-google-5-3-your-message-has-too-many-recipients",
      reason: "ratelimited",
      phrase: "your message has too many recipients",
      status: ["x.5.3"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "452 4.5.3 Your message has too many recipients. For more information regarding Google's sending limits, visit https://support.google.com/mail/answer/6592 https://support.google.com/mail/?p=TooManyRecipientsError",
    },
    {
      id: "rhost-google-5-3-too-many-recipients-for-this-sender",
      reason: "ratelimited",
      phrase: "too many recipients for this sender",
      status: ["x.5.3"],
      source: `${SISIMAI}; ${PAGE}`,
      example: null,
    },
    {
      id: "rhost-google-1-1-the-email-account-that-you-tried-to-reach-do",
      reason: "userunknown",
      phrase: "the email account that you tried to reach does not exist",
      status: ["x.1.1"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "550 5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient's email address for typos or unnecessary spaces. For more information, visit https://support.google.com/mail/answer/6596",
    },
    {
      id: "rhost-google-1-2-we-weren-t-able-to-find-the-recipient-domain",
      reason: "userunknown",
      phrase: "we weren't able to find the recipient domain",
      status: ["x.1.2"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "553 5.1.2 We weren't able to find the recipient domain. Please check for any spelling errors, and make sure you didn't enter any spaces, periods, or other punctuation after the recipient's email address.",
      exampleSource: "sisimai perl lib/Sisimai/Rhost/GoogleApps.pm (github.com/sisimai/p5-sisimai)",
    },
    {
      id: "rhost-google-1-3-is-not-a-valid-rfc-5321-address",
      reason: "userunknown",
      phrase: "is not a valid rfc 5321 address",
      status: ["x.1.3"],
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "553 5.1.3 The recipient address <address> is not a valid RFC 5321 address. For more information, go to About SMTP error messages and review RFC 5321 specifications.",
    },
  ],
};
