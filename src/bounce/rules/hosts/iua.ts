import type { RuleTable } from "../phrase-rule.ts";

/**
 * Sisimai's knowledge of iua's servers (rhost): codes and messages that decide a reason there,
 * one per entry, each with the reply or documented message it came from (BSD-2-Clause,
 * github.com/sisimai/go-sisimai rhost/for-iua.go; provider page: https://mail.i.ua/err/).
 */
const SISIMAI = "sisimai go rhost/for-iua.go";
const PAGE = "https://mail.i.ua/err/";

export const IUA_HOST_RULES: RuleTable = {
  id: "host-iua",
  hosts: ["email.ua"],
  source: `${SISIMAI}; ${PAGE}`,
  rules: [
    {
      id: "rhost-iua-1",
      reason: "norelaying",
      phrase: ".i.ua/err/1/",
      anyHost: true,
      source: `${SISIMAI} (1: The use of SMTP as mail gate is forbidden.); ${PAGE}`,
      example: "https://mail.i.ua/err/1/",
    },
    {
      id: "rhost-iua-2",
      reason: "userunknown",
      phrase: ".i.ua/err/2/",
      anyHost: true,
      source: `${SISIMAI} (2: User is not found.); ${PAGE}`,
      example: "https://mail.i.ua/err/2/",
    },
    {
      id: "rhost-iua-3",
      reason: "suspend",
      phrase: ".i.ua/err/3/",
      anyHost: true,
      source: `${SISIMAI} (3: Mailbox was not used for more than 3 months); ${PAGE}`,
      example: "https://mail.i.ua/err/3/",
    },
    {
      id: "rhost-iua-4",
      reason: "mailboxfull",
      phrase: ".i.ua/err/4/",
      anyHost: true,
      source: `${SISIMAI} (4: Mailbox is full.); ${PAGE}`,
      example: "https://mail.i.ua/err/4/",
    },
    {
      id: "rhost-iua-5",
      reason: "ratelimited",
      phrase: ".i.ua/err/5/",
      anyHost: true,
      source: `${SISIMAI} (5: Letter sending limit is exceeded.); ${PAGE}`,
      example: "https://mail.i.ua/err/5/",
    },
    {
      id: "rhost-iua-6",
      reason: "norelaying",
      phrase: ".i.ua/err/6/",
      anyHost: true,
      source: `${SISIMAI} (6: Use SMTP of your provider to send mail.); ${PAGE}`,
      example: "https://mail.i.ua/err/6/",
    },
    {
      id: "rhost-iua-7",
      reason: "blocked",
      phrase: ".i.ua/err/7/",
      anyHost: true,
      source: `${SISIMAI} (7: Wrong value if command HELO/EHLO parameter.); ${PAGE}`,
      example: "https://mail.i.ua/err/7/",
    },
    {
      id: "rhost-iua-8",
      reason: "rejected",
      phrase: ".i.ua/err/8/",
      anyHost: true,
      source: `${SISIMAI} (8: Couldn't check sender address.); ${PAGE}`,
      example: "https://mail.i.ua/err/8/",
    },
    {
      id: "rhost-iua-9",
      reason: "blocked",
      phrase: ".i.ua/err/9/",
      anyHost: true,
      source: `${SISIMAI} (9: IP-address of the sender is blacklisted.); ${PAGE}`,
      example: "https://mail.i.ua/err/9/",
    },
    {
      id: "rhost-iua-10",
      reason: "filtered",
      phrase: ".i.ua/err/10/",
      anyHost: true,
      source: `${SISIMAI} (10: Not in the list Mail address management.); ${PAGE}`,
      example: "https://mail.i.ua/err/10/",
    },
  ],
};
