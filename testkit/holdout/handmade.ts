/**
 * A program built by hand, the way a new user would make test data: a small shop's SendGrid export with
 * a campaign table written out line by line and plain per-campaign rates, no simulation of a list or a
 * receiver. Its one cause: the shop imported 2,400 old customers from its order database (never mailed,
 * many with stale addresses) and sent them and the whole list a "we have moved" announcement on a
 * Saturday — a volume spike to recipients who never engaged. Apple answered with CS01 on the imported
 * addresses. Truth: volume-spike.
 *
 *   npx node testkit/holdout/handmade.ts --out /tmp/handmade
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { Generated } from "./index.ts";
import { writeMessages } from "./messages.ts";
import type { Campaign, Program, SimEvent, SimMessage } from "./program.ts";
import { Rng } from "./rng.ts";
import { fillReply, PROVIDER_DOMAINS, type Provider, REPLIES } from "./world.ts";
import { writeExport } from "./writers.ts";

const DAY = 86_400_000;
const START = Date.UTC(2026, 2, 2); // Monday 2 March 2026

// date offset, id, audience, subject — as the shop owner typed them in
const CAMPAIGNS: [number, string, "list" | "list+import", string][] = [
  [1, "newsletter-march-1", "list", "Spring is here: new arrivals"],
  [8, "newsletter-march-2", "list", "Our favourite rain jackets"],
  [15, "newsletter-march-3", "list", "Behind the scenes at the workshop"],
  [22, "newsletter-march-4", "list", "Customer stories: the long trail"],
  [29, "newsletter-april-1", "list", "Easter opening hours"],
  [36, "newsletter-april-2", "list", "Care guide: waxing your jacket"],
  [43, "newsletter-april-3", "list", "New colours in stock"],
  [47, "we-have-moved", "list+import", "We have moved to a bigger shop!"],
  [50, "newsletter-april-4", "list", "Thank you for visiting the new shop"],
  [57, "newsletter-may-1", "list", "Summer collection preview"],
  [64, "newsletter-may-2", "list", "Repair service now open"],
  [71, "newsletter-may-3", "list", "Picnic season picks"],
  [78, "newsletter-may-4", "list", "End of season sale starts Friday"],
];

const MIX: [Provider, number][] = [
  ["apple", 0.4],
  ["gmail", 0.33],
  ["yahoo", 0.14],
  ["microsoft", 0.13],
];

interface Contact {
  address: string;
  provider: Provider;
  imported: boolean;
  opener: boolean;
  clicker: boolean;
  dead: boolean;
  gone: boolean;
}

export function handmadeProgram(): Program {
  const rng = new Rng(20260302);
  const contacts: Contact[] = [];
  const make = (i: number, imported: boolean): Contact => {
    const provider = rng.weighted(MIX);
    const domain = rng.weighted(PROVIDER_DOMAINS[provider]);
    return {
      address: `${imported ? "customer" : "subscriber"}${i}@${domain}`,
      provider,
      imported,
      opener: rng.chance(imported ? 0.04 : 0.4),
      clicker: rng.chance(imported ? 0.01 : 0.12),
      dead: rng.chance(imported ? 0.09 : 0.005),
      gone: false,
    };
  };
  for (let i = 0; i < 3200; i++) contacts.push(make(i, false));
  const imported: Contact[] = [];
  for (let i = 0; i < 2400; i++) imported.push(make(i, true));

  const brand = { name: "Hollow Oak Outdoor", domain: "hollowoak-outdoor.com", from: "shop" };
  const ip = "167.89.54.21";
  const messages: SimMessage[] = [];
  const events: SimEvent[] = [];
  const campaigns: Campaign[] = [];
  for (const [day, id, audience, subject] of CAMPAIGNS) {
    const c: Campaign = {
      id,
      day,
      subject,
      kind: "newsletter",
      stream: "marketing",
      links: [`https://www.${brand.domain}/shop`, `https://www.${brand.domain}/blog`],
      flagged: false,
      sends: 0,
      planned: 0,
    };
    campaigns.push(c);
    const list = audience === "list" ? contacts : [...contacts, ...imported];
    const t0 = START + day * DAY + 9 * 3_600_000;
    list.forEach((who, i) => {
      if (who.gone) return;
      const t = t0 + i * 400;
      const index = messages.length;
      messages.push({
        index,
        recipient: who.address,
        provider: who.provider,
        campaign: id,
        stream: "marketing",
        ip,
        pool: "marketing",
        sentAt: t,
        subject,
      });
      c.sends++;
      events.push({ t, type: "sent", message: index });
      const fill = { rcpt: who.address, ip, domain: brand.domain };
      if (who.dead) {
        const table = REPLIES[who.provider].hard ?? [];
        events.push({
          t: t + 5000,
          type: "bounced",
          message: index,
          bounce: "hard",
          reply: fillReply(rng, rng.weighted(table), fill),
        });
        who.gone = true;
        return;
      }
      // the owner's rule of thumb: Apple rejects about 1 in 1,000 normally, 1 in 15 of the imported on the big day
      const cs01 =
        who.provider === "apple" ? (who.imported ? 0.065 : audience === "list" ? 0.001 : 0.004) : 0;
      if (rng.chance(cs01)) {
        const table = REPLIES.apple["policy-background"] ?? [];
        events.push({
          t: t + 8000,
          type: "bounced",
          message: index,
          bounce: "policy",
          reply: fillReply(rng, rng.weighted(table), fill),
        });
        return;
      }
      events.push({ t: t + 6000, type: "delivered", message: index });
      if (who.provider === "apple" && rng.chance(0.85))
        events.push({
          t: t + 600_000,
          type: "open",
          message: index,
          machine: true,
          readerIp: `17.58.${rng.int(0, 255)}.${rng.int(1, 254)}`,
          userAgent: "Mozilla/5.0",
        });
      if (who.opener && rng.chance(0.6)) {
        if (who.provider !== "apple")
          events.push({
            t: t + 7_200_000,
            type: "open",
            message: index,
            machine: false,
            readerIp: `73.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`,
            userAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X)",
          });
        if (who.clicker && rng.chance(0.5))
          events.push({
            t: t + 7_300_000,
            type: "click",
            message: index,
            readerIp: `73.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`,
            userAgent: "Mozilla/5.0",
            url: c.links[0],
          });
      }
      if (rng.chance(who.imported ? 0.006 : 0.001)) {
        events.push({ t: t + 9_000_000, type: "unsubscribe", message: index });
        who.gone = true;
      }
    });
  }
  events.sort((a, b) => a.t - b.t || a.message - b.message);
  return {
    spec: { cause: "volume-spike", strength: 1, seed: 0, format: "sendgrid" },
    name: "handmade",
    brand,
    shape: "weekly",
    start: START,
    days: 82,
    ips: [{ ip, pool: "marketing", from: 0 }],
    campaigns,
    messages,
    events,
    truth: {
      cause: "volume-spike",
      strength: 1,
      variant: "hand-made",
      fromDay: 47,
      toDay: 47,
      note: "hand-made: 2,400 imported old customers mailed once with the whole list on a Saturday",
    },
    egressPrefixes: ["17.58.0.0/16"],
    recipients: contacts.length + imported.length,
  };
}

export function handmade(dir: string): Generated {
  const program = handmadeProgram();
  mkdirSync(dir, { recursive: true });
  const { files, egressCsv } = writeExport(program, "sendgrid", join(dir, "events"));
  const messagesDir = writeMessages(program, join(dir, "messages"));
  writeFileSync(join(dir, "truth.json"), `${JSON.stringify(program.truth, null, 2)}\n`);
  return { program, dir, files, messagesDir, egressCsv };
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { out: { type: "string", default: "/tmp/holdout-handmade" } } });
  const g = handmade(values.out);
  process.stdout.write(`${g.dir}\n`);
}
