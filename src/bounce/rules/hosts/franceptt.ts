import type { RuleTable } from "../phrase-rule.ts";

/**
 * Sisimai's knowledge of franceptt's servers (rhost): codes and messages that decide a reason there,
 * one per entry, each with the reply or documented message it came from (BSD-2-Clause,
 * github.com/sisimai/go-sisimai rhost/for-franceptt.go; provider page: https://postmaster.orange.fr/).
 */
const SISIMAI = "sisimai go rhost/for-franceptt.go";
const PAGE = "https://postmaster.orange.fr/";

/**
 * Orange's numbered refusal: a label (LPN, OFR, OUK, letters and digits after it), an optional separator, a
 * counter and the code ("LPN007_420", "OFR_416", "LPN416").
 */
const orangeCode = (code: string): RegExp =>
  new RegExp(String.raw`\b(?:lpn|ofr|ouk)[a-z0-9]*[_-]?[0-9]*${code}\b`);

export const FRANCEPTT_HOST_RULES: RuleTable = {
  id: "host-franceptt",
  hosts: ["laposte.net", "orange.fr", "wanadoo.fr"],
  source: `${SISIMAI}; ${PAGE}`,
  rules: [
    {
      id: "rhost-franceptt-101",
      reason: "blocked",
      pattern: orangeCode("101"),
      anyHost: true,
      source: `${SISIMAI} (101); ${PAGE}`,
      example:
        "The emails sent to the mail host Laposte.net were blocked by our services. To regularize your situation please click on the link below and follow the procedure https://www.spamhaus.org/lookup/ LPNAAA_101 (in reply to RCPT TO command))",
    },
    {
      id: "rhost-franceptt-102",
      reason: "blocked",
      pattern: orangeCode("102"),
      anyHost: true,
      source: `${SISIMAI} (102); ${PAGE}`,
      example: "Client host blocked for spamming issues. OFR006_102 Ref http://csi.cloudmark.com ...",
    },
    {
      id: "rhost-franceptt-103",
      reason: "blocked",
      pattern: orangeCode("103"),
      anyHost: true,
      source: `${SISIMAI} (103); ${PAGE}`,
      example: "Service refused, please try later. OFR006_103 192.0.2.1 [103]",
    },
    {
      id: "rhost-franceptt-104",
      reason: "ratelimited",
      pattern: orangeCode("104"),
      anyHost: true,
      source: `${SISIMAI} (104); ${PAGE}`,
      example: "Too many connections, slow down. OFR005_104 [104]",
    },
    {
      id: "rhost-franceptt-305",
      reason: "securityerror",
      pattern: orangeCode("305"),
      anyHost: true,
      source: `${SISIMAI} (305); ${PAGE}`,
      example: '550 5.7.0 Code d"authentification invalide OFR_305',
    },
    {
      id: "rhost-franceptt-401",
      reason: "authfailure",
      pattern: orangeCode("401"),
      anyHost: true,
      source: `${SISIMAI} (401); ${PAGE}`,
      example: "550 5.5.0 SPF: *** is not allowed to send mail. LPN004_401",
    },
    {
      id: "rhost-franceptt-402",
      reason: "securityerror",
      pattern: orangeCode("402"),
      anyHost: true,
      source: `${SISIMAI} (402); ${PAGE}`,
      example: "550 5.5.0 Authentification requise. Authentication Required. LPN105_402",
    },
    {
      id: "rhost-franceptt-403",
      reason: "rejected",
      pattern: orangeCode("403"),
      anyHost: true,
      source: `${SISIMAI} (403); ${PAGE}`,
      example: "OFR_403",
    },
    {
      id: "rhost-franceptt-405",
      reason: "rejected",
      pattern: orangeCode("405"),
      anyHost: true,
      source: `${SISIMAI} (405); ${PAGE}`,
      example: "5.0.1 Emetteur invalide. Invalid Sender. LPN105_405",
    },
    {
      id: "rhost-franceptt-415",
      reason: "rejected",
      pattern: orangeCode("415"),
      anyHost: true,
      source: `${SISIMAI} (415); ${PAGE}`,
      example: "OFR_415",
    },
    {
      id: "rhost-franceptt-416",
      reason: "userunknown",
      pattern: orangeCode("416"),
      anyHost: true,
      source: `${SISIMAI} (416); ${PAGE}`,
      example: "Invalid recipient. OFR_416 [416] (in reply to RCPT TO command)",
    },
    {
      id: "rhost-franceptt-417",
      reason: "mailboxfull",
      pattern: orangeCode("417"),
      anyHost: true,
      source: `${SISIMAI} (417); ${PAGE}`,
      example: "Recipient overquota. OFR_417 [417] (in reply to RCPT TO command))",
    },
    {
      id: "rhost-franceptt-420",
      reason: "suspend",
      pattern: orangeCode("420"),
      anyHost: true,
      source: `${SISIMAI} (420); ${PAGE}`,
      example: "Archived recipient. LPN007_420 (in reply to RCPT TO command)",
    },
    {
      id: "rhost-franceptt-421",
      reason: "rejected",
      pattern: orangeCode("421"),
      anyHost: true,
      source: `${SISIMAI} (421); ${PAGE}`,
      example: "5.5.3 Mail from not owned by user. LPN105_421.",
    },
    {
      id: "rhost-franceptt-426",
      reason: "suspend",
      pattern: orangeCode("426"),
      anyHost: true,
      source: `${SISIMAI} (426); ${PAGE}`,
      example:
        "550 5.5.0 Le compte du destinataire est bloque. The recipient account isblocked. LPN007_426 (in reply to RCPT TO command)",
    },
    {
      id: "rhost-franceptt-505",
      reason: "systemerror",
      pattern: orangeCode("505"),
      anyHost: true,
      source: `${SISIMAI} (505); ${PAGE}`,
      example:
        "421 4.2.0 Service refuse. Veuillez essayer plus tard. Service refused, please try later. OFR005_505 [505] (in reply to end of DATA command)",
    },
    {
      id: "rhost-franceptt-506",
      reason: "spamdetected",
      pattern: orangeCode("506"),
      anyHost: true,
      source: `${SISIMAI} (506); ${PAGE}`,
      example: "Mail rejete. Mail rejected. OFR_506 [506]",
    },
    {
      id: "rhost-franceptt-510",
      reason: "blocked",
      pattern: orangeCode("510"),
      anyHost: true,
      source: `${SISIMAI} (510); ${PAGE}`,
      example:
        "550 5.5.0 Service refuse. Veuillez essayer plus tard. service refused, please try later. LPN005_510 (in reply to end of DATA command)",
    },
    {
      id: "rhost-franceptt-514",
      reason: "emailtoolarge",
      pattern: orangeCode("514"),
      anyHost: true,
      source: `${SISIMAI} (514); ${PAGE}`,
      example: "OFR_514",
    },
    {
      id: "rhost-franceptt-517",
      reason: "authfailure",
      pattern: orangeCode("517"),
      anyHost: true,
      source: `${SISIMAI} (517); ${PAGE}`,
      example: "Message refuse, verification DMARC en echec LPN007_517",
    },
    {
      id: "rhost-franceptt-630",
      reason: "policyviolation",
      pattern: orangeCode("630"),
      anyHost: true,
      source: `${SISIMAI} (630); ${PAGE}`,
      example: "554 5.7.1 Client host rejected LPN000_630",
    },
    {
      id: "rhost-franceptt-999",
      reason: "blocked",
      pattern: orangeCode("999"),
      anyHost: true,
      source: `${SISIMAI} (999); ${PAGE}`,
      example:
        "421 mwinf5c77 ME Service refuse. Veuillez essayer plus tard. Service refused, please try later. OFR_999 [999]",
    },
    {
      id: "rhost-franceptt-spf-dns-de-votre-nom-de-domaine",
      reason: "authfailure",
      phrase: "spf/dns de votre nom de domaine",
      source: `${SISIMAI}; ${PAGE}`,
      example:
        "421 smtp.orange.fr [192.0.2.1] Emetteur invalide, Veuillez verifier la configuration SPF/DNS de votre nom de domaine. Invalid Sender. SPF check failed, please verify the SPF/DNS configuration for your domain name.",
    },
  ],
};
