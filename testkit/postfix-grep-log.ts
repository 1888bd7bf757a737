/**
 * A Postfix log the way users grep it (`grep status= /var/log/mail.log`): only delivery status lines, a
 * new queue id for every message, no `removed` lines, and replies that carry per-message tokens — queue
 * ids (`queued as 4Xy…`), recipient addresses, transaction ids, Gmail's `250 2.0.0 OK  <time> <id> - gsmtp`.
 * Deferred recipients are retried later in the log (delivered, bounced, or expired with
 * `from=<…>, status=expired, returned to sender`). Deterministic for a seed (bench/postfix-grep.ts).
 *
 * A GrepLogShape spreads the deliveries the way a real sender's are: over many recipient domains besides
 * the big providers (a Zipf law: a few big, a long tail), each hosted by its own MX, Google Workspace or
 * Microsoft 365, over several relays (MX hosts and addresses) each, with a chosen share of deferrals and
 * bounces. Without one the log is what it always was (the six providers, one relay each).
 *
 * Every line is in the form Postfix itself writes, as real Postfix 3.7.11 logs in the repo show it
 * (test/fixtures/mta-made/logs/postfix-*.log: `conn_use=N` after the relay, `delay=`/`delays=`, `(in reply to RCPT TO
 * command)`, qmgr's `status=expired, returned to sender`) and its documentation describes the fields
 * (https://www.postfix.org/postconf.5.html: `delay_logging_resolution_limit`, `smtp_connection_cache_on_demand`,
 * `enable_long_queue_ids`); Postfix's source was not reachable when this was written, and no source file is cited
 * for what the logs here do not show: `to=<…>, relay=host[ip]:25, conn_use=N, delay=D,
 * delays=a/b/c/d, dsn=X.Y.Z, status=… (…)`, where conn_use is there only for a delivery over a cached connection (its
 * number the connection's use count), the delays vary per message, a delivery's text is the server's reply alone
 * (`status=sent (250 …)`), a failed connection is `relay=none` with Postfix's own text (`connect to host[ip]:25:
 * Connection timed out`), and queue ids come in both of Postfix's forms (see GrepLogShape.queueIds).
 *
 * Its `ids: "real"` writes the per-message tokens in real servers' shapes (testkit/provider-ids.ts: Gmail's
 * transaction ids, Microsoft's `[host ISO-time 16-hex]` traces, Yahoo's mta hosts, Exim and GMX ids, Orange's
 * nodes, Mimecast's references) and adds GMX and Mimecast to the destinations; without it the tokens keep the
 * shapes they always had (invented ones: `<12 hex><digits>.<digits> - gsmtp`, `[host <epoch>]`…), byte for byte.
 */
import { pick, seededRandom, syslogStamp } from "./events-postfix-log.ts";
import {
  eximId,
  gmailTransactionId,
  gmxId,
  microsoftHost,
  microsoftInternalId,
  microsoftTrace,
  mimecastReference,
  orangeAcceptId,
  orangeNode,
  postfixQueueId,
  yahooMta,
} from "./provider-ids.ts";

type Status = "sent" | "deferred" | "bounced";

interface Outcome {
  status: Status;
  dsn: string;
  /**
   * The reply, given the message's tokens: a server's (it starts with its code), or Postfix's own text about the
   * connection (`connect to …`, `lost connection with …`: see statusLine).
   */
  reply: (t: Tokens) => string;
  weight: number;
}

interface Tokens {
  qid: string;
  rcpt: string;
  id: string;
  hex: string;
  uuid: string;
  time: number;
  ip: string;
  /** The relay the delivery went to (or failed to reach): `host[ip]:25`. */
  relay: string;
  /** The tokens in real servers' shapes (GrepLogShape `ids: "real"`), else null: the invented ones above. */
  real: RealIds | null;
}

/** One message's tokens as real servers write them (testkit/provider-ids.ts). */
interface RealIds {
  gmail: string;
  microsoftTrace: string;
  microsoftHost: string;
  microsoftInternalId: string;
  /** `<bytes> bytes in <s>, <rate> KB/sec` of Microsoft's 250. */
  transfer: string;
  yahooMta: string;
  exim: string;
  gmx: string;
  orangeNode: string;
  orangeId: string;
  mimecast: string;
  postfixQueueId: string;
}

function makeRealIds(random: () => number, timeMs: number): RealIds {
  const bytes = 4000 + Math.floor(random() * 90_000);
  const seconds = 0.05 + random() * 0.6;
  return {
    gmail: gmailTransactionId(random),
    microsoftTrace: microsoftTrace(random, timeMs),
    microsoftHost: microsoftHost(random),
    microsoftInternalId: microsoftInternalId(random),
    transfer: `${bytes} bytes in ${seconds.toFixed(3)}, ${(bytes / 1024 / seconds).toFixed(3)} KB/sec`,
    yahooMta: yahooMta(random),
    exim: eximId(random),
    gmx: gmxId(random),
    orangeNode: orangeNode(random),
    orangeId: orangeAcceptId(random),
    mimecast: mimecastReference(random),
    postfixQueueId: postfixQueueId(random),
  };
}

/** The real tokens of a destination that exists only with `ids: "real"`. */
function real(t: Tokens): RealIds {
  if (t.real === null) throw new Error("a destination of real ids in a log of invented ones");
  return t.real;
}

interface Destination {
  domain: string;
  mx: string;
  ip: string;
  outcomes: Outcome[];
}

const DESTINATIONS: Destination[] = [
  {
    domain: "gmail.com",
    mx: "gmail-smtp-in.l.google.com",
    ip: "142.250.102.27",
    outcomes: [
      {
        status: "sent",
        dsn: "2.0.0",
        reply: (t) => `250 2.0.0 OK  ${t.time} ${t.real?.gmail ?? t.id} - gsmtp`,
        weight: 80,
      },
      {
        status: "deferred",
        dsn: "4.7.28",
        reply: (t) =>
          `421-4.7.28 [${t.ip}      15] Our system has detected an unusual rate of unsolicited mail originating from your IP address. To protect our users from spam, mail sent from your IP address has been temporarily rate limited. 421 4.7.28 ${t.real?.gmail ?? t.id} - gsmtp`,
        weight: 8,
      },
      {
        status: "bounced",
        dsn: "5.1.1",
        reply: (t) =>
          `550-5.1.1 The email account that you tried to reach does not exist. Please try 550-5.1.1 double-checking the recipient's email address for typos or 550-5.1.1 unnecessary spaces. https://support.google.com/mail/?p=NoSuchUser ${t.real?.gmail ?? t.id} - gsmtp`,
        weight: 4,
      },
    ],
  },
  {
    domain: "icloud.com",
    mx: "mx01.mail.icloud.com",
    ip: "17.57.155.23",
    outcomes: [
      {
        status: "sent",
        dsn: "2.0.0",
        reply: (t) => `250 2.0.0 Ok: queued as ${t.uuid}`,
        weight: 80,
      },
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
        reply: (t) => `421 4.7.1 [HM08] Message from (${t.ip}) temporarily deferred. ${t.hex}`,
        weight: 5,
      },
      {
        status: "bounced",
        dsn: "5.1.1",
        reply: (t) => `550 5.1.1 <${t.rcpt}>: user does not exist`,
        weight: 3,
      },
    ],
  },
  {
    domain: "yahoo.com",
    mx: "mta6.am0.yahoodns.net",
    ip: "67.195.204.77",
    outcomes: [
      { status: "sent", dsn: "2.0.0", reply: () => "250 ok dirdel", weight: 80 },
      {
        status: "deferred",
        dsn: "4.7.0",
        reply: (t) =>
          `421 4.7.0 [TSS04] Messages from ${t.ip} temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes`,
        weight: 8,
      },
      {
        status: "bounced",
        dsn: "5.0.0",
        reply: (t) =>
          `554 delivery error: dd This user doesn't have a yahoo.com account (${t.real ? t.rcpt : "user@yahoo.com"}) [0]${t.real ? ` - ${t.real.yahooMta}` : ""}`,
        weight: 3,
      },
    ],
  },
  {
    domain: "outlook.com",
    mx: "outlook-com.olc.protection.outlook.com",
    ip: "52.101.42.0",
    outcomes: [
      {
        status: "sent",
        dsn: "2.0.0",
        reply: (t) =>
          `250 2.6.0 <${t.qid}.${t.time}@mail.example.net> [InternalId=${t.real?.microsoftInternalId ?? t.time % 100000000}, Hostname=${t.real?.microsoftHost ?? `DM6PR11MB${t.hex.slice(0, 4).toUpperCase()}.namprd11.prod.outlook.com`}] ${t.real?.transfer ?? `${t.time % 1000000} bytes in 0.123, 221.5 KB/sec`} Queued mail for delivery`,
        weight: 80,
      },
      {
        status: "bounced",
        dsn: "5.7.1",
        reply: (t) =>
          `550 5.7.1 Unfortunately, messages from [${t.ip}] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150). You can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors. ${t.real?.microsoftTrace ?? `[BN1NAM02FT${t.hex.slice(0, 3).toUpperCase()}.eop-nam02.prod.protection.outlook.com ${t.time}]`}`,
        weight: 5,
      },
      {
        status: "bounced",
        dsn: "5.5.0",
        reply: (t) =>
          t.real
            ? `550 5.5.0 Requested action not taken: mailbox unavailable. ${t.real.microsoftTrace}`
            : `550 5.5.0 Requested action not taken: mailbox unavailable (${t.uuid}). [AM4PEPF0002${t.hex.slice(0, 4).toUpperCase()}.eurprd04.prod.outlook.com ${t.time}]`,
        weight: 3,
      },
    ],
  },
  {
    domain: "orange.fr",
    mx: "smtp-in.orange.fr",
    ip: "80.12.242.10",
    outcomes: [
      {
        status: "sent",
        dsn: "2.0.0",
        reply: (t) => `250 2.0.0 ${t.real?.orangeId ?? t.id} mail accepted for delivery`,
        weight: 80,
      },
      {
        status: "deferred",
        dsn: "4.0.0",
        reply: (t) =>
          `421 ${t.real?.orangeNode ?? `mwinf5c${t.time % 100}`} ME Service refuse. Veuillez essayer plus tard. Service refused, please try later. LPN007_510`,
        weight: 6,
      },
    ],
  },
  {
    domain: "example-corp.com",
    mx: "mx.example-corp.com",
    ip: "198.51.100.7",
    outcomes: [
      {
        status: "sent",
        dsn: "2.0.0",
        reply: (t) => `250 2.0.0 Ok: queued as ${t.real?.postfixQueueId ?? t.qid.slice(2)}`,
        weight: 80,
      },
      {
        status: "deferred",
        dsn: "4.4.1",
        reply: (t) => `connect to ${t.relay}: Connection timed out`,
        weight: 5,
      },
      {
        status: "bounced",
        dsn: "5.2.2",
        reply: (t) => `552 5.2.2 <${t.rcpt}>: Recipient address rejected: Mailbox full`,
        weight: 3,
      },
    ],
  },
];

/** How a log's deliveries spread (bench/postfix-grep.ts `--domains`, `--relays`, `--bounce-pct`). */
export interface GrepLogShape {
  /** Recipient domains besides the six providers' (0: only theirs, picked evenly). */
  domains?: number;
  /** Relays (MX host and address) each destination's deliveries are spread over (1: one). */
  relays?: number;
  /** Percent of first attempts deferred or bounced (undefined: each destination's own mix). */
  bouncePct?: number;
  /** The replies' per-message tokens in real servers' shapes, or the invented ones (the default). */
  ids?: "real" | "invented";
  /**
   * The chance (default 0.7) that a delivery to a relay its host holds a cached connection to goes over that
   * connection (logged with `conn_use=N`, N its use count); the first delivery to a relay, and the next after a lost
   * connection or a 421, open a new one (at 0.7 about 63 % of the lines carry conn_use). Postfix caches a connection
   * when mail for the destination is waiting (postconf(5) smtp_connection_cache_on_demand,
   * https://www.postfix.org/postconf.5.html#smtp_connection_cache_on_demand) and reuses it for the next delivery
   * there: a bulk sender's steady stream goes over cached connections for most of its deliveries.
   */
  connReuse?: number;
  /**
   * The queue ids' form: Postfix's short ids (hexadecimal: microseconds and inode number, `3F1A52C0B7`; some all
   * digits), its long ids (enable_long_queue_ids=yes: `4Yq7gT3sKQz2bXn`), or both (the default): a log merged from
   * two hosts, `mta1` with long ids and `mta2` with short ones.
   */
  queueIds?: "short" | "long" | "mixed";
}

/** GMX (WEB.DE's too): Nemesis ids in its 250 and in the `&r=` of its refusals' explanation links. */
const GMX: Destination = {
  domain: "gmx.de",
  mx: "mx00.emig.gmx.net",
  ip: "212.227.15.9",
  outcomes: [
    {
      status: "sent",
      dsn: "2.0.0",
      reply: (t) => `250 Requested mail action okay, completed: id=${real(t).gmx}`,
      weight: 80,
    },
    {
      status: "bounced",
      dsn: "5.0.0",
      reply: () => "550 Requested action not taken: mailbox unavailable",
      weight: 4,
    },
    {
      status: "bounced",
      dsn: "5.0.0",
      reply: (t) =>
        `554-Transaction failed 554-Reject due to policy restrictions. 554 For explanation visit https://postmaster.gmx.net/en/case?c=hi&i=ip&v=${t.ip}&r=${real(t).gmx}`,
      weight: 2,
    },
  ],
};

/** A company whose mail Mimecast receives: its reference ends each reply (provider-ids.ts mimecastReference). */
function mimecastHosted(domain: string): Destination {
  return {
    domain,
    mx: "eu-smtp-inbound-1.mimecast.com",
    ip: "91.220.42.51",
    outcomes: [
      // The reference on its 250 too: from memory, as the reference's shape (provider-ids.ts).
      { status: "sent", dsn: "2.0.0", reply: (t) => `250 Ok ${real(t).mimecast}`, weight: 80 },
      {
        status: "bounced",
        dsn: "5.0.0",
        reply: (t) =>
          `550 Invalid Recipient - https://community.mimecast.com/docs/DOC-1369#550 ${real(t).mimecast}`,
        weight: 4,
      },
      {
        status: "deferred",
        dsn: "4.0.0",
        reply: (t) =>
          `451 Internal resources are temporarily unavailable - https://community.mimecast.com/docs/DOC-1369#451 ${real(t).mimecast}`,
        weight: 4,
      },
      {
        status: "bounced",
        dsn: "5.0.0",
        // set-of-emails rhost-mimecast-02.eml: `554 email rejected due to security policies - MCSpamSignature.sa.2.2`
        reply: (t) =>
          `554 email rejected due to security policies - MCSpamSignature.sa.${t.time % 9}.${t.time % 7}`,
        weight: 1,
      },
    ],
  };
}

const deferred = (dsn: string, reply: Outcome["reply"], weight: number): Outcome => ({
  status: "deferred",
  dsn,
  reply,
  weight,
});
const bounced = (dsn: string, reply: Outcome["reply"], weight: number): Outcome => ({
  status: "bounced",
  dsn,
  reply,
  weight,
});

/** A domain with its own MX: Postfix's or Exim's replies. */
function ownMx(domain: string, index: number): Destination {
  const sent: Outcome =
    index % 2 === 0
      ? {
          status: "sent",
          dsn: "2.0.0",
          reply: (t) => `250 2.0.0 Ok: queued as ${t.hex.slice(0, 10).toUpperCase()}`,
          weight: 80,
        }
      : {
          status: "sent",
          dsn: "2.0.0",
          reply: (t) =>
            `250 OK id=${t.real?.exim ?? `1t${t.hex.slice(0, 4)}-000${t.hex.slice(4, 7).toUpperCase()}-${t.hex.slice(7, 9).toUpperCase()}`}`,
          weight: 80,
        };
  return {
    domain,
    mx: `mx.${domain}`,
    ip: `203.0.113.${1 + (index % 254)}`,
    outcomes: [
      sent,
      deferred(
        "4.2.0",
        (t) =>
          `450 4.2.0 <${t.rcpt}>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/${domain}.html`,
        5,
      ),
      bounced(
        "5.1.1",
        (t) => `550 5.1.1 <${t.rcpt}>: Recipient address rejected: User unknown in virtual mailbox table`,
        4,
      ),
      bounced(
        "5.7.1",
        (t) =>
          `554 5.7.1 Service unavailable; Client host [${t.ip}] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/${t.ip}`,
        1,
      ),
      // A small site's MX is sometimes down or dropping connections: Postfix's own texts as its logs and bounces
      // quote them (`connect to host[ip]:25: …`: a real Postfix bounce in test/fixtures/sisimai/eml/lhost-postfix-49.eml;
      // `lost connection with …` written from the documented form, no real one in the repo), DSN 4.4.1 for a
      // connection never made, 4.4.2 for one lost.
      deferred("4.4.1", (t) => `connect to ${t.relay}: Connection refused`, 1),
      deferred("4.4.1", (t) => `connect to ${t.relay}: Connection timed out`, 1),
      deferred("4.4.2", (t) => `lost connection with ${hostOf(t.relay)} while sending RCPT TO`, 1),
    ],
  };
}

/** A domain hosted by Google Workspace: Gmail's replies. */
function workspace(domain: string, index: number): Destination {
  return { ...DESTINATIONS[0], domain, mx: "aspmx.l.google.com", ip: `142.250.${index % 256}.26` };
}

/** A domain hosted by Microsoft 365 (Exchange Online Protection). */
function microsoft365(domain: string, index: number): Destination {
  const host = (t: Tokens) =>
    `${["BN", "CH", "DM", "SA"][index % 4]}${t.hex.slice(0, 1)}PR0${t.time % 10}MB${t.hex.slice(1, 5).toUpperCase()}.namprd0${index % 9}.prod.outlook.com`;
  return {
    domain,
    mx: `${domain.replaceAll(".", "-")}.mail.protection.outlook.com`,
    ip: `52.101.${index % 256}.${10 + (index % 200)}`,
    outcomes: [
      DESTINATIONS[3].outcomes[0],
      bounced(
        "5.4.1",
        (t) =>
          `550 5.4.1 Recipient address rejected: Access denied. For more information see https://aka.ms/EXOSmtpErrors ${t.real?.microsoftTrace ?? `[${host(t)} ${t.time}]`}`,
        4,
      ),
      deferred(
        "4.7.500",
        (t) =>
          `451 4.7.500 Server busy. Please try again later from [${t.ip}]. (S77719) ${t.real?.microsoftTrace ?? `[${host(t)} ${t.time}]`}`,
        5,
      ),
    ],
  };
}

/**
 * The `index`th domain of the long tail, hosted by its own MX, Google Workspace or Microsoft 365 (with real ids,
 * every tenth by Mimecast instead).
 */
function tailDomain(index: number, realIds: boolean): Destination {
  const words = ["acme", "north", "blue", "civic", "delta", "ember", "fjord", "grain", "harbor", "iris"];
  const domain = `${words[index % words.length]}-${index}.${["com", "org", "de", "co.uk", "fr"][index % 5]}`;
  const hosting = index % 10;
  if (realIds && hosting === 9) return mimecastHosted(domain);
  return hosting < 4
    ? ownMx(domain, index)
    : hosting < 7
      ? workspace(domain, index)
      : microsoft365(domain, index);
}

/** The `k`th relay of a destination: its MX, then `altK.` ones at the next addresses. */
function relayOf(destination: Destination, k: number): string {
  if (k === 0) return `${destination.mx}[${destination.ip}]:25`;
  const octets = destination.ip.split(".").map(Number);
  octets[3] = (octets[3] + k) % 256;
  return `alt${k}.${destination.mx}[${octets.join(".")}]:25`;
}

/** Picks a destination: evenly among the providers alone, else by a Zipf law over providers and the tail. */
function destinationPicker(domains: number, realIds: boolean, random: () => number): () => Destination {
  const providers = realIds ? [...DESTINATIONS, GMX, mimecastHosted("harbor-law.co.uk")] : DESTINATIONS;
  if (domains <= 0) return () => providers[Math.floor(random() * providers.length)];
  const all = [...providers, ...Array.from({ length: domains }, (_, i) => tailDomain(i, realIds))];
  const cumulative: number[] = [];
  let total = 0;
  for (let rank = 1; rank <= all.length; rank++) {
    total += 1 / rank;
    cumulative.push(total);
  }
  return () => {
    const roll = random() * total;
    let low = 0;
    let high = cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (cumulative[middle] > roll) high = middle;
      else low = middle + 1;
    }
    return all[low];
  };
}

const ALPHABET = "0123456789BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz";

/**
 * A Postfix long queue id (enable_long_queue_ids=yes; global/mail_queue.h): the arrival's seconds (6 characters)
 * and microseconds (4) in base 52, `z`, then the file's inode number in base 51 (no `z`).
 */
function longQueueId(ms: number, random: () => number): string {
  const digits = (n: number, count: number, base: number) => {
    let out = "";
    for (let i = 0; i < count; i++) {
      out = ALPHABET[n % base] + out;
      n = Math.floor(n / base);
    }
    return out;
  };
  const micros = (ms % 1000) * 1000 + Math.floor(random() * 1000);
  return `${digits(Math.floor(ms / 1000), 6, 52)}${digits(micros, 4, 52)}z${digits(Math.floor(random() * 51 ** 4), 4, 51)}`;
}

/**
 * A Postfix short queue id (global/mail_queue.h): the arrival's microseconds in 5 hexadecimal digits, then the
 * file's inode number in hexadecimal, upper case (`3F1A52C0B7`).
 */
function shortQueueId(ms: number, random: () => number): string {
  const micros = (ms % 1000) * 1000 + Math.floor(random() * 1000);
  const inode = 0x10000 + Math.floor(random() * 0xfff000);
  return `${micros.toString(16).padStart(5, "0")}${inode.toString(16)}`.toUpperCase();
}

/**
 * A time as Postfix logs `delay=` and each of `delays=` (the real logs above show `0`, `0.01`, `0.02`; the rest
 * is our reading of Postfix's form, not checked against its source): whole seconds from 10 s, else two
 * significant digits, at most as many decimals as delay_logging_resolution_limit (2 by default), trailing zeros
 * dropped (`0`, `0.05`, `0.47`, `1.2`, `30`).
 */
function delayText(seconds: number): string {
  if (seconds >= 9.95) return String(Math.round(seconds));
  return String(Number(seconds.toFixed(seconds >= 0.995 ? 1 : 2)));
}

/** `host[ip]` of a relay `host[ip]:25`. */
function hostOf(relay: string): string {
  return relay.slice(0, relay.lastIndexOf(":"));
}

function hexOf(random: () => number, length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) out += "0123456789abcdef"[Math.floor(random() * 16)];
  return out;
}

interface Pending {
  line: (stamp: string) => string;
}

/** A message: its queue id, the host whose log has it and when it arrived (ms). */
interface Message {
  qid: string;
  host: string;
  arrived: number;
}

/** Messages a deferred recipient is retried after (the log's clock runs about 0.2 s per message). */
const RETRY_AFTER = [2_000, 20_000, 150_000];

/** Yields chunks of grep'd log text until `lines` lines were produced. */
export function* postfixGrepLogChunks(lines: number, seed = 1, shape: GrepLogShape = {}): Generator<string> {
  const random = seededRandom(seed);
  const realIds = shape.ids === "real";
  const destinationOf = destinationPicker(shape.domains ?? 0, realIds, random);
  const relays = Math.max(1, shape.relays ?? 1);
  const reuse = shape.connReuse ?? 0.7;
  const queueIds = shape.queueIds ?? "mixed";
  /** Each host's cached connection to each relay: its use count (0: none cached). */
  const connections = new Map<string, number>();
  const relay = (destination: Destination) =>
    relayOf(destination, relays === 1 ? 0 : Math.floor(random() * relays));
  const firstOutcome = (destination: Destination): Outcome => {
    if (shape.bouncePct === undefined) return pick(destination.outcomes, random);
    if (random() * 100 >= shape.bouncePct) return destination.outcomes[0];
    return pick(destination.outcomes.slice(1), random);
  };
  let written = 0;
  let clock = Date.UTC(2026, 0, 5, 8, 0, 0);
  let serial = 0;
  let chunk: string[] = [];
  const due = new Map<number, Pending[]>();
  const later = (at: number, pending: Pending) => {
    const list = due.get(at);
    if (list) list.push(pending);
    else due.set(at, [pending]);
  };
  while (written < lines) {
    serial++;
    clock += Math.floor(random() * 400);
    const stamp = syslogStamp(clock);
    const long = queueIds === "long" || (queueIds === "mixed" && random() < 0.5);
    const message: Message = {
      qid: long ? longQueueId(clock, random) : shortQueueId(clock, random),
      host: queueIds === "mixed" ? (long ? "mta1" : "mta2") : "mta1",
      arrived: clock,
    };
    const recipients = 1 + Math.floor(random() * 3);
    for (let r = 0; r < recipients; r++) {
      const destination = destinationOf();
      const rcpt = `user${Math.floor(random() * 5_000_000)}@${destination.domain}`;
      const outcome = firstOutcome(destination);
      chunk.push(`${stamp} ${statusLine(destination, outcome, message, rcpt, 3000 + (serial % 50), false)}`);
      written++;
      if (outcome.status === "deferred") scheduleRetry(destination, message, rcpt, serial, 0);
    }
    const now = due.get(serial);
    if (now) {
      due.delete(serial);
      for (const pending of now) chunk.push(pending.line(stamp));
      written += now.length;
    }
    if (chunk.length >= 4096 || written >= lines) {
      const take = chunk.length - Math.max(0, written - lines);
      yield `${chunk.slice(0, take).join("\n")}\n`;
      chunk = [];
    }
  }

  function scheduleRetry(
    destination: Destination,
    message: Message,
    rcpt: string,
    at: number,
    attempt: number,
  ) {
    const when = at + RETRY_AFTER[Math.min(attempt, RETRY_AFTER.length - 1)] + Math.floor(random() * 1000);
    const roll = random();
    if (attempt >= 2 && roll < 0.5) {
      // Still deferred at the queue's lifetime: Postfix returns the message to its sender.
      later(when, {
        line: (stamp) =>
          `${stamp} ${message.host} postfix/qmgr[2101]: ${message.qid}: from=<news@mail.example.net>, status=expired, returned to sender`,
      });
      return;
    }
    const outcome: Outcome =
      roll < 0.6
        ? pick(
            destination.outcomes.filter((o) => o.status === "deferred"),
            random,
          )
        : destination.outcomes[0];
    // A destination whose server could not be reached is marked dead for a while: Postfix's queue manager then
    // defers its mail without trying, through the error(8) agent (`delivery temporarily suspended: …`, as the real
    // Postfix bounce test/fixtures/sisimai/eml/lhost-postfix-49.eml quotes it; the `postfix/error` tag is from memory:
    // master.cf's `retry` service runs error(8), and its tag may be `postfix/retry`).
    const suspended = outcome.dsn === "4.4.1" && random() < 0.5;
    later(when, {
      line: (stamp) => {
        if (outcome.status === "deferred") scheduleRetry(destination, message, rcpt, when, attempt + 1);
        return `${stamp} ${statusLine(destination, outcome, message, rcpt, 3000 + (when % 50), suspended)}`;
      },
    });
  }
  // Deferred lines scheduled past the end are never written (the log was cut there).

  /**
   * The line of a recipient's outcome after its syslog stamp, in Postfix's field order (the real logs above): `relay=none` where no
   * connection was made, `conn_use=N` where the delivery went over a cached connection (its Nth use), the delays
   * (a: before the queue manager, the time in the deferred queue included; b: in the queue manager; c: connection
   * setup; d: transmission).
   */
  function statusLine(
    destination: Destination,
    outcome: Outcome,
    message: Message,
    rcpt: string,
    pid: number,
    suspended: boolean,
  ): string {
    const to = relay(destination);
    const tokens: Tokens = {
      qid: message.qid,
      rcpt,
      id: `${hexOf(random, 12)}${Math.floor(random() * 1e4)}.${Math.floor(random() * 100)}`,
      hex: hexOf(random, 16),
      uuid: `${hexOf(random, 8)}-${hexOf(random, 4)}-${hexOf(random, 4)}-${hexOf(random, 4)}-${hexOf(random, 12)}`,
      time: Math.floor(clock / 1000),
      ip: "192.0.2.10",
      relay: to,
      real: null,
    };
    if (realIds) tokens.real = makeRealIds(random, clock);
    const reply = outcome.reply(tokens);
    // A server's reply starts with its code; else the text is Postfix's own about the connection.
    const own = !/^\d/.test(reply);
    const unconnected = suspended || reply.startsWith("connect to");
    let uses = 0;
    if (!unconnected) {
      const key = `${message.host} ${to}`;
      const cached = connections.get(key) ?? 0;
      uses = cached > 0 && random() < reuse ? cached + 1 : 1;
      // A lost connection or a 421 ends it (the server closes after a 421: RFC 5321 3.8).
      connections.set(key, own || reply.startsWith("421") ? 0 : uses);
    }
    // Postfix's smtp(8) logs a delivery with the server's reply alone, `status=sent (250 …)`; "host … said: … (in reply
    // to …)" is its text for a refusal or a deferral only (the real logs above), its own texts stand alone.
    const text = suspended
      ? `delivery temporarily suspended: ${reply}`
      : outcome.status === "sent" || own
        ? reply
        : `host ${hostOf(to)} said: ${reply} (in reply to RCPT TO command)`;
    const a = (clock - message.arrived) / 1000 + 0.02 + random() * 0.5;
    const b = random() < 0.6 ? 0 : random() < 0.9 ? random() * 0.3 : random() * 40;
    const c =
      suspended || uses > 1
        ? 0
        : reply.endsWith("timed out")
          ? 30
          : unconnected
            ? 0.01 + random() * 0.05
            : 0.1 + random() * 1.2;
    const d = unconnected ? 0 : outcome.status === "sent" ? 0.05 + random() * 1.5 : 0.01 + random() * 0.3;
    const delays = [a, b, c, d].map(delayText).join("/");
    const program = suspended ? "error" : "smtp";
    return `${message.host} postfix/${program}[${pid}]: ${message.qid}: to=<${rcpt}>, relay=${unconnected ? "none" : to}${uses > 1 ? `, conn_use=${uses}` : ""}, delay=${delayText(a + b + c + d)}, delays=${delays}, dsn=${outcome.dsn}, status=${outcome.status} (${text})`;
  }
}
