/**
 * A realistic Postfix maillog generator (for bench/classify-logs.ts and the events tests): messages with
 * qmgr/cleanup/smtp/removed lines per queue id, a provider mix with Apple well represented, replies that
 * repeat massively (some carrying per-message ids, as Gmail's do), deterministic for a seed.
 */

interface Outcome {
  status: "sent" | "deferred" | "bounced";
  dsn: string;
  reply: (id: string) => string;
  weight: number;
}

interface Destination {
  domain: string;
  mx: string;
  ip: string;
  outcomes: Outcome[];
}

const ok = (text: string): Outcome => ({ status: "sent", dsn: "2.0.0", reply: () => text, weight: 80 });

const DESTINATIONS: Destination[] = [
  {
    domain: "gmail.com",
    mx: "gmail-smtp-in.l.google.com",
    ip: "142.250.1.27",
    outcomes: [
      { status: "sent", dsn: "2.0.0", reply: (id) => `250 2.0.0 OK  1764300000 ${id} - gsmtp`, weight: 80 },
      {
        status: "deferred",
        dsn: "4.7.28",
        reply: (id) =>
          `421-4.7.28 Gmail has detected an unusual rate of unsolicited mail. 421 4.7.28 To protect our users, mail has been temporarily rate limited. ${id} - gsmtp`,
        weight: 10,
      },
      {
        status: "bounced",
        dsn: "5.1.1",
        reply: (id) =>
          `550-5.1.1 The email account that you tried to reach does not exist. 550 5.1.1 https://support.google.com/mail/?p=NoSuchUser ${id} - gsmtp`,
        weight: 5,
      },
      {
        status: "bounced",
        dsn: "5.7.26",
        reply: () =>
          "550-5.7.26 Unauthenticated email from example.com is not accepted due to domain's DMARC policy. 550 5.7.26 Please contact the administrator of example.com domain",
        weight: 2,
      },
    ],
  },
  {
    domain: "icloud.com",
    mx: "mx01.mail.icloud.com",
    ip: "17.57.155.25",
    outcomes: [
      ok("250 2.0.0 Ok: queued as 01234ABCDE"),
      {
        status: "bounced",
        dsn: "5.7.1",
        reply: () =>
          "550 5.7.1 [CS01] Message rejected due to local policy. Please visit https://support.apple.com/en-us/HT204137",
        weight: 8,
      },
      {
        status: "deferred",
        dsn: "4.7.1",
        reply: () => "421 4.7.1 [BS02] Service unavailable - try again later",
        weight: 6,
      },
      {
        status: "bounced",
        dsn: "5.1.1",
        reply: () => "550 5.1.1 <unknown user>: user does not exist",
        weight: 3,
      },
    ],
  },
  {
    domain: "yahoo.com",
    mx: "mta7.am0.yahoodns.net",
    ip: "67.195.204.72",
    outcomes: [
      ok("250 ok dirdel"),
      {
        status: "deferred",
        dsn: "4.7.0",
        reply: () =>
          "421 4.7.0 [TSS04] Messages from 192.0.2.10 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes",
        weight: 10,
      },
      {
        status: "bounced",
        dsn: "5.0.0",
        reply: () => "554 delivery error: dd This user doesn't have a yahoo.com account",
        weight: 3,
      },
    ],
  },
  {
    domain: "outlook.com",
    mx: "outlook-com.olc.protection.outlook.com",
    ip: "52.101.8.40",
    outcomes: [
      ok("250 2.6.0 <m@x> [InternalId=123] Queued mail for delivery"),
      {
        status: "bounced",
        dsn: "5.7.1",
        reply: () =>
          "550 5.7.1 Unfortunately, messages from [192.0.2.10] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150).",
        weight: 6,
      },
    ],
  },
  {
    domain: "example-corp.com",
    mx: "mx.example-corp.com",
    ip: "198.51.100.7",
    outcomes: [
      ok("250 2.0.0 Ok: queued"),
      {
        status: "deferred",
        dsn: "4.4.1",
        reply: () => "connect to mx.example-corp.com[198.51.100.7]:25: Connection timed out",
        weight: 5,
      },
      { status: "bounced", dsn: "5.2.2", reply: () => "552 5.2.2 Mailbox full", weight: 3 },
    ],
  },
];

/** Small deterministic PRNG (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T extends { weight: number }>(items: T[], random: () => number): T {
  const total = items.reduce((sum, item) => sum + item.weight, 0);
  let roll = random() * total;
  for (const item of items) {
    roll -= item.weight;
    if (roll < 0) return item;
  }
  return items[items.length - 1];
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

export function syslogStamp(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, " ")} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/**
 * Yields chunks of log text until `lines` lines were produced. Per message: qmgr from=, cleanup
 * message-id=, 1–3 recipient status lines, removed.
 */
export function* postfixLogChunks(lines: number, seed = 1): Generator<string> {
  const random = seededRandom(seed);
  let written = 0;
  let clock = Date.UTC(2026, 0, 5, 8, 0, 0);
  let serial = 0;
  let chunk: string[] = [];
  while (written < lines) {
    serial++;
    clock += Math.floor(random() * 400);
    const qid = (0x10000000 + serial).toString(16).toUpperCase();
    const stamp = syslogStamp(clock);
    const head = `${stamp} mta1 postfix`;
    const block = [
      `${head}/qmgr[2101]: ${qid}: from=<news@mail.example.net>, size=${20000 + (serial % 5000)}, nrcpt=2 (queue active)`,
      `${head}/cleanup[2102]: ${qid}: message-id=<${serial}.${qid}@mail.example.net>`,
    ];
    const recipients = 1 + Math.floor(random() * 3);
    for (let r = 0; r < recipients; r++) {
      const destination = DESTINATIONS[Math.floor(random() * DESTINATIONS.length)];
      const outcome = pick(destination.outcomes, random);
      const id = `a${(serial * 7919 + r).toString(36)}si${Math.floor(random() * 1e9)}qtb`;
      const rcpt = `user${Math.floor(random() * 200000)}@${destination.domain}`;
      const relay = `${destination.mx}[${destination.ip}]:25`;
      const reply = outcome.reply(id);
      const text = reply.startsWith("connect to")
        ? reply
        : `host ${destination.mx}[${destination.ip}] said: ${reply} (in reply to ${outcome.status === "sent" ? "end of DATA" : "RCPT TO"} command)`;
      block.push(
        `${head}/smtp[${3000 + (serial % 50)}]: ${qid}: to=<${rcpt}>, relay=${relay}, delay=1.2, delays=0.1/0/0.5/0.6, dsn=${outcome.dsn}, status=${outcome.status} (${text})`,
      );
    }
    block.push(`${head}/qmgr[2101]: ${qid}: removed`);
    const take = Math.min(block.length, lines - written);
    for (let i = 0; i < take; i++) chunk.push(block[i]);
    written += take;
    if (chunk.length >= 4096 || written >= lines) {
      yield `${chunk.join("\n")}\n`;
      chunk = [];
    }
  }
}
