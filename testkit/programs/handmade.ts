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

export function writeHandmadeProgram(dir: string): { events: string; messages: string } {
  mkdirSync(join(dir, "messages"), { recursive: true });
  const rows = ["time,recipient,type,campaign,sending_ip,reply,message_id"];
  const dead = new Set([17, 333, 901, 1111]); // addresses that no longer exist
  // Apple recipients the newsletters' CS01s hit: week 4 (bit.ly) 34, the others a couple each.
  const rejected: Record<number, number[]> = {
    0: [5],
    1: [88, 140],
    2: [],
    3: Array.from({ length: 34 }, (_, k) => 3 + k * 8),
    4: [211],
  };
  WEEKS.forEach((day, week) => {
    const campaign = `newsletter-${day}`;
    DOMAINS.forEach((domain, i) => {
      if (dead.has(i) && week > 0) return; // removed after the first bounce
      const rcpt = `reader${i + 1}@${domain}`;
      const minute = String(Math.floor(i / 40)).padStart(2, "0");
      const second = String(i % 60).padStart(2, "0");
      const time = `${day}T15:${minute}:${second}Z`;
      const id = `${campaign}.${i + 1}@mail.quietharbor.net`;
      rows.push(`${time},${rcpt},sent,${campaign},192.0.2.77,,${id}`);
      if (dead.has(i))
        rows.push(`${time},${rcpt},bounced,${campaign},192.0.2.77,"${GONE.replace("{rcpt}", rcpt)}",${id}`);
      else if (i < 300 && rejected[week].includes(i))
        rows.push(`${time},${rcpt},bounced,${campaign},192.0.2.77,"${CS01}",${id}`);
      else {
        rows.push(`${time},${rcpt},delivered,${campaign},192.0.2.77,250 2.0.0 OK,${id}`);
        if (i % 3 === 0) rows.push(`${day}T18:${minute}:${second}Z,${rcpt},open,${campaign},,,${id}`);
        if (i % 17 === 0) rows.push(`${day}T18:${minute}:${second}Z,${rcpt},click,${campaign},,,${id}`);
      }
    });
    const links =
      week === 3
        ? ["https://bit.ly/3qHarb0r", "https://bit.ly/4fallSale"]
        : [`https://quietharbor.net/journal/week-${week + 1}`, "https://quietharbor.net/shop"];
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
