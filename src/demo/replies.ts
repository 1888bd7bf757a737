/**
 * Reply texts the generator puts in bounces and deferrals, quoted from real receivers
 * (https://smtp.codes/icloud, https://support.apple.com/en-us/102322 and Sisimai's Apple rules,
 * https://github.com/sisimai/p5-sisimai/blob/master/lib/Sisimai/Rhost/Apple.pm).
 */
export interface DemoReply {
  text: string;
  status: string;
  source: string;
}

export const POLICY_REPLIES: Record<string, DemoReply> = {
  apple: {
    text: "550 5.7.1 [CS01] Message rejected due to local policy. Please visit https://support.apple.com/en-us/HT204137",
    status: "5.7.1",
    source: "smtp.codes/icloud; sisimai rhost Apple",
  },
  google: {
    text: "550 5.7.1 [192.0.2.10] Our system has detected that this message is likely unsolicited mail. To reduce the amount of spam sent to Gmail, this message has been blocked.",
    status: "5.7.1",
    source: "support.google.com/mail/answer/188131",
  },
  yahoo: {
    text: "554 5.7.9 Message not accepted for policy reasons. See https://senders.yahooinc.com/error-codes",
    status: "5.7.9",
    source: "senders.yahooinc.com/smtp-error-codes",
  },
  microsoft: {
    text: "550 5.7.1 Unfortunately, messages from [192.0.2.10] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150).",
    status: "5.7.1",
    source: "sendersupport.olc.protection.outlook.com",
  },
  other: {
    text: "550 5.7.1 Message rejected due to local policy",
    status: "5.7.1",
    source: "RFC 3463 (5.7.1 delivery not authorized)",
  },
};

export const RATE_DEFERRALS: Record<string, DemoReply> = {
  apple: {
    text: "421 4.7.1 Messages to recipient@icloud.com deferred due to excessive volume. Try again later",
    status: "4.7.1",
    source: "smtp.codes; sisimai rhost Apple",
  },
  yahoo: {
    text: "421 4.7.0 [TSS04] Messages from 192.0.2.10 temporarily deferred due to unexpected volume or user complaints",
    status: "4.7.0",
    source: "senders.yahooinc.com/smtp-error-codes",
  },
  other: {
    text: "451 4.7.1 Service unavailable - try again later",
    status: "4.7.1",
    source: "https://smtp.codes/icloud (Apple's top-of-hour 451 4.7.1 deferral)",
  },
};

export const userUnknown = (address: string): DemoReply => ({
  text: `550 5.1.1 <${address}>: user does not exist`,
  status: "5.1.1",
  source: "sisimai; smtp.codes (Apple hard bounce)",
});
