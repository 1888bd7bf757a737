/**
 * A program made by hand, the way a new user would put one together to try deliverlens: a plain
 * generic CSV export (docs/FORMATS.md's columns) of five Tuesday newsletters to the same 1,200 people
 * from one IP, with the opens their ESP reported, plus the five newsletters as .eml files. The fourth
 * newsletter was built from a new template whose links all go through bit.ly; iCloud rejected 34 of
 * its messages with CS01, the other weeks 0–2. Known cause: `content`. No random source: every
 * number below is written out.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Message, Program, Recipient } from "./model.ts";
import { MX, type Provider, type Reply } from "./replies.ts";

export const HANDMADE_CAUSE = "content";

const DOMAINS = [
  ...Array<string>(210).fill("icloud.com"),
  ...Array<string>(60).fill("me.com"),
  ...Array<string>(30).fill("mac.com"),
  ...Array<string>(480).fill("gmail.com"),
  ...Array<string>(200).fill("yahoo.com"),
  ...Array<string>(140).fill("outlook.com"),
  ...Array<string>(80).fill("comcast.net"),
];
const WEEKS = ["2026-09-01", "2026-09-08", "2026-09-15", "2026-09-22", "2026-09-29"];
const CS01 =
  "554 5.7.1 [CS01] Message rejected due to local policy. See https://support.apple.com/en-us/HT204137";
const GONE = "550 5.1.1 <{rcpt}>: user does not exist";
const IP = "192.0.2.77";
/** Addresses that no longer exist (removed after the first bounce). */
const DEAD = new Set([17, 333, 901, 1111]);
/** The Apple recipients each newsletter's CS01s hit: week 4 (bit.ly) 34, the others a couple each. */
const REJECTED: Record<number, number[]> = {
  0: [5],
  1: [88, 140],
  2: [],
  3: Array.from({ length: 34 }, (_, k) => 3 + k * 8),
  4: [211],
};
const linksOf = (week: number) =>
  week === 3
    ? ["https://bit.ly/3qHarb0r", "https://bit.ly/4fallSale"]
    : [`https://quietharbor.net/journal/week-${week + 1}`, "https://quietharbor.net/shop"];

export function writeHandmadeProgram(dir: string): { events: string; messages: string } {
  mkdirSync(join(dir, "messages"), { recursive: true });
  const rows = ["time,recipient,type,campaign,sending_ip,reply,message_id"];
  WEEKS.forEach((day, week) => {
    const campaign = `newsletter-${day}`;
    DOMAINS.forEach((domain, i) => {
      if (DEAD.has(i) && week > 0) return; // removed after the first bounce
      const rcpt = `reader${i + 1}@${domain}`;
      const minute = String(Math.floor(i / 40)).padStart(2, "0");
      const second = String(i % 60).padStart(2, "0");
      const time = `${day}T15:${minute}:${second}Z`;
      const id = `${campaign}.${i + 1}@mail.quietharbor.net`;
      rows.push(`${time},${rcpt},sent,${campaign},${IP},,${id}`);
      if (DEAD.has(i))
        rows.push(`${time},${rcpt},bounced,${campaign},${IP},"${GONE.replace("{rcpt}", rcpt)}",${id}`);
      else if (i < 300 && REJECTED[week].includes(i))
        rows.push(`${time},${rcpt},bounced,${campaign},${IP},"${CS01}",${id}`);
      else {
        rows.push(`${time},${rcpt},delivered,${campaign},${IP},250 2.0.0 OK,${id}`);
        if (i % 3 === 0) rows.push(`${day}T18:${minute}:${second}Z,${rcpt},open,${campaign},,,${id}`);
        if (i % 17 === 0) rows.push(`${day}T18:${minute}:${second}Z,${rcpt},click,${campaign},,,${id}`);
      }
    });
    const links = linksOf(week);
    writeFileSync(
      join(dir, "messages", `${campaign}.eml`),
      [
        "From: Quiet Harbor <hello@quietharbor.net>",
        "To: reader@example.com",
        `Subject: Quiet Harbor weekly #${week + 1}`,
        `Date: ${new Date(`${day}T15:00:00Z`).toUTCString()}`,
        `Message-ID: <${campaign}@mail.quietharbor.net>`,
        `X-Campaign-ID: ${campaign}`,
        "List-Unsubscribe: <https://quietharbor.net/unsubscribe>",
        "MIME-Version: 1.0",
        "Content-Type: text/html; charset=utf-8",
        "",
        `<p>This week at Quiet Harbor.</p>${links.map((l) => `<p><a href="${l}">${l}</a></p>`).join("")}`,
        "",
      ].join("\r\n"),
    );
  });
  const events = join(dir, "events.csv");
  writeFileSync(events, `${rows.join("\n")}\n`);
  return { events, messages: join(dir, "messages") };
}

const PROVIDER: Record<string, Provider> = {
  "icloud.com": "apple",
  "me.com": "apple",
  "mac.com": "apple",
  "gmail.com": "google",
  "yahoo.com": "yahoo",
  "outlook.com": "microsoft",
  "comcast.net": "other",
};

/**
 * The same hand-made program as a Program, for the export writers (writers/: SendGrid, SES, Mailgun,
 * PowerMTA, Postfix): a new user's data in each format. Opens as the CSV has them (every third reader,
 * a click every 17th), plus what an ESP also reports: a Mail Privacy Protection prefetch from Apple's
 * 17.0.0.0/8 for every other iCloud reader, minutes after delivery.
 */
export function handmadeProgram(): Program {
  const start = Date.parse(`${WEEKS[0]}T00:00:00Z`);
  const recipients: Recipient[] = DOMAINS.map((domain, i) => ({
    address: `reader${i + 1}@${domain}`,
    domain,
    provider: PROVIDER[domain],
    joinedDay: -60,
    cohort: "list",
    invalid: DEAD.has(i),
    appleMail: PROVIDER[domain] === "apple",
    mpp: PROVIDER[domain] === "apple" && i % 2 === 1,
    engagement: i % 3 === 0 ? 0.9 : 0,
    decayPerDay: 0,
    lastSeen: null,
    suppressedDay: null,
    oneOff: false,
  }));
  const reply = (text: string, kind: Reply["kind"]): Reply => ({
    code: Number(text.slice(0, 3)),
    status: /\d\.\d\.\d+/.exec(text)?.[0] ?? "",
    text,
    kind,
  });
  const messages: Message[] = [];
  const campaigns = WEEKS.map((day, week) => {
    const id = `newsletter-${day}`;
    const sendStart = Date.parse(`${day}T15:00:00Z`);
    let count = 0;
    recipients.forEach((r, i) => {
      if (DEAD.has(i) && week > 0) return;
      count++;
      const sentAt = sendStart + Math.floor(i / 40) * 60_000 + (i % 60) * 1000;
      const outcome = DEAD.has(i)
        ? { outcome: "bounced" as const, reply: reply(GONE.replace("{rcpt}", r.address), "hard") }
        : i < 300 && REJECTED[week].includes(i)
          ? { outcome: "bounced" as const, reply: reply(CS01, "policy") }
          : { outcome: "delivered" as const, reply: reply("250 2.0.0 OK", "accepted") };
      const read = outcome.outcome === "delivered" && i % 3 === 0;
      const opened = sentAt + 3 * 3_600_000;
      messages.push({
        seq: messages.length,
        id: `${id}.${i + 1}@mail.quietharbor.net`,
        recipient: i,
        campaign: week,
        ip: IP,
        pool: "default",
        sentAt,
        attempts: [{ at: sentAt + 2000, ...outcome, mx: MX[r.provider][0] }],
        engagement: [
          ...(outcome.outcome === "delivered" && r.mpp
            ? [
                {
                  at: sentAt + 600_000,
                  kind: "open" as const,
                  machine: true,
                  ip: "17.58.63.10",
                  userAgent: "Mozilla/5.0",
                },
              ]
            : []),
          ...(read
            ? [
                {
                  at: opened,
                  kind: "open" as const,
                  machine: false,
                  ip: "198.51.100.20",
                  userAgent: "Mozilla/5.0 (Windows NT 10.0)",
                },
              ]
            : []),
          ...(read && i % 17 === 0
            ? [
                {
                  at: opened + 60_000,
                  kind: "click" as const,
                  machine: false,
                  ip: "198.51.100.20",
                  userAgent: "Mozilla/5.0 (Windows NT 10.0)",
                  url: linksOf(week)[0],
                },
              ]
            : []),
        ],
        truth:
          outcome.outcome === "bounced"
            ? outcome.reply.kind === "hard"
              ? "hard"
              : week === 3
                ? "content"
                : "background"
            : undefined,
      });
    });
    return {
      id,
      subject: `Quiet Harbor weekly #${week + 1}`,
      day: week * 7,
      start: sendStart,
      spreadMinutes: 30,
      stream: "marketing" as const,
      audience: "all" as const,
      offSchedule: false,
      links: linksOf(week),
      messages: count,
    };
  });
  return {
    spec: { seed: 0, cause: HANDMADE_CAUSE, strength: 1, variant: "handmade" },
    name: "handmade-quiet-harbor",
    start,
    days: 35,
    brand: { domain: "quietharbor.net", name: "Quiet Harbor", from: "hello@quietharbor.net" },
    recipients,
    campaigns,
    ips: [{ ip: IP, pool: "default", fromDay: -60, streams: ["marketing"] }],
    messages,
    truth: {
      cause: HANDMADE_CAUSE,
      strength: 1,
      variant: "handmade",
      weak: false,
      description:
        "the fourth newsletter's links all go through bit.ly; iCloud rejected 34 of its messages with CS01",
      causePolicyBounces: 34,
      backgroundPolicyBounces: 4,
      campaigns: [`newsletter-${WEEKS[3]}`],
    },
  };
}
