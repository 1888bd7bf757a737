/**
 * The per-message tokens real mail servers put in their SMTP replies, in the shapes they really have — for
 * generators of logs whose replies must vary the way real ones do (testkit/postfix-grep-log.ts `ids: "real"`,
 * bench/postfix-grep.ts by default). Each shape is modelled on real replies quoted in Sisimai's public
 * set-of-emails (https://github.com/sisimai/set-of-emails, BSD-2) or Sisimai's rhost tables
 * (https://github.com/sisimai/go-sisimai/tree/main/rhost); the one shape no file there shows (Mimecast's
 * reference) says so. Written from those replies, not from the project's reply normaliser.
 */

const HEX = "0123456789abcdef";
const DIGITS = "0123456789";
const LOWER = "abcdefghijklmnopqrstuvwxyz";
const BASE62 = `${DIGITS}ABCDEFGHIJKLMNOPQRSTUVWXYZ${LOWER}`;
const BASE64URL = `${BASE62}-_`;

/** `length` characters of `alphabet`. */
export function charsOf(random: () => number, alphabet: string, length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(random() * alphabet.length)];
  return out;
}

function oneOf<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)];
}

/** An integer in [low, high]. */
function between(random: () => number, low: number, high: number): number {
  return low + Math.floor(random() * (high - low + 1));
}

/**
 * Gmail's SMTP transaction id, the token before `- gsmtp` in every reply (250, 4xx, 5xx). Today's:
 * `98e67ed59e1d1-2c2d0e28189si6418580a91.13`, `d9443c01a7336-1f9eb3b6e81si99625855ad.239` (set-of-emails
 * lhost-dragonfly-01.eml); the older one, a fifth here: `v14si1155795plk.134`, `p4si4011367igr.94`
 * (lhost-postfix-28.eml).
 */
export function gmailTransactionId(random: () => number): string {
  if (random() < 0.2)
    return `${charsOf(random, LOWER, between(random, 1, 2))}${between(random, 1, 99)}si${between(random, 100_000, 9_999_999)}${charsOf(random, LOWER, 3)}.${between(random, 1, 999)}`;
  return `${charsOf(random, HEX, 13)}-${charsOf(random, HEX, 11)}si${between(random, 1_000_000, 99_999_999)}${charsOf(random, LOWER, 1)}${charsOf(random, `${LOWER}${DIGITS}`, between(random, 0, 2))}.${between(random, 1, 999)}`;
}

/**
 * A Microsoft 365 / Outlook.com server name: `MW4PR04CA0381.namprd04.prod.outlook.com`,
 * `DB1PEPF000509F7.eurprd02.prod.outlook.com` (lhost-dragonfly-02.eml), `BN3PEPF0000B370.namprd21…`
 * (go-sisimai rhost/for-microsoft.go), `TYCP286MB3363.JPNP286.PROD.OUTLOOK.COM` (upper case, as some hops write it).
 */
export function microsoftHost(random: () => number): string {
  const site = `${oneOf(random, ["AM", "BN", "CO", "CH", "DB", "DM", "DU", "MW", "PH", "SA", "SN", "VI", "BL", "CY"])}${between(random, 0, 9)}`;
  const region = oneOf(random, [
    "namprd04",
    "namprd12",
    "namprd21",
    "namprd05",
    "eurprd04",
    "eurprd02",
    "eurprd06",
  ]);
  const kind = random();
  const name =
    kind < 0.4
      ? `${site}PEPF0000${charsOf(random, HEX, 4).toUpperCase()}`
      : kind < 0.7
        ? `${site}PR${String(between(random, 1, 19)).padStart(2, "0")}CA${String(between(random, 1, 9999)).padStart(4, "0")}`
        : `${site}PR${String(between(random, 1, 19)).padStart(2, "0")}MB${String(between(random, 1000, 9999))}`;
  const host = `${name}.${region}.prod.outlook.com`;
  return random() < 0.1 ? host.toUpperCase() : host;
}

/**
 * The trace Microsoft's servers end a reply with: one bracket per hop, `[host ISO-time 16-hex]`, e.g.
 * `[MW4PR04CA0381.namprd04.prod.outlook.com 2024-06-11T09:04:02.743Z 08DC87B4931D8FD2]`; a reply passed
 * back through several hops carries several (lhost-dragonfly-02.eml: three).
 */
export function microsoftTrace(random: () => number, timeMs: number): string {
  const hops = random() < 0.7 ? 1 : random() < 0.7 ? 2 : 3;
  const parts: string[] = [];
  for (let hop = 0; hop < hops; hop++) {
    const at = new Date(timeMs + between(random, 0, 999)).toISOString();
    parts.push(`[${microsoftHost(random)} ${at} 08D${charsOf(random, HEX, 13).toUpperCase()}]`);
  }
  return parts.join(" ");
}

/** Microsoft's `InternalId=` in a 250 reply: a 13–14 digit number (from memory, as the Orange id). */
export function microsoftInternalId(random: () => number): string {
  return `${between(random, 1, 9)}${charsOf(random, DIGITS, between(random, 12, 13))}`;
}

/** The Yahoo server that answered, at the end of its replies: `mta1061.mail.ne1.yahoo.com` (rhost-yahooinc-03.eml). */
export function yahooMta(random: () => number): string {
  return `mta${between(random, 1000, 4999)}.mail.${oneOf(random, ["ne1", "bf1", "bf2", "gq1", "sg0"])}.yahoo.com`;
}

/** Exim's message id in `250 OK id=…`: `1Nu3PW-0004hr-Lq` (lhost-exim-08.eml): base 62, 6-6-2. */
export function eximId(random: () => number): string {
  return `1${charsOf(random, BASE62, 5)}-000${charsOf(random, BASE62, 3)}-${charsOf(random, BASE62, 2)}`;
}

/** GMX / WEB.DE's (Nemesis) message id: `0M5u99-1Y5SBn46rB-00xoWE` (lhost-gmx-01.eml), in `id=` and `&r=` values. */
export function gmxId(random: () => number): string {
  return `${oneOf(random, ["0", "1"])}M${charsOf(random, BASE62, 4)}-1${charsOf(random, BASE62, 9)}-00${charsOf(random, BASE62, 4)}`;
}

/**
 * Orange's (FrancePTT) front server named at the start of its refusals: `mwinf5c04`, `mwinf5c79`
 * (go-sisimai rhost/for-franceptt.go, rhost-franceptt-06.eml).
 */
export function orangeNode(random: () => number): string {
  return `mwinf5${oneOf(random, ["c", "d"])}${String(between(random, 1, 99)).padStart(2, "0")}`;
}

/**
 * The id of a message Orange accepted (`250 2.0.0 <id> mail accepted for delivery`): 22 base-62 characters, from
 * memory too (no accepting reply is quoted in Sisimai's files: they are bounces).
 */
export function orangeAcceptId(random: () => number): string {
  return charsOf(random, BASE62, 22);
}

/**
 * Mimecast's reference at the end of its replies, `[<22 base64url>.<region><n>]`: the one shape here that no
 * file of Sisimai's quotes — written from memory of replies users post, not from a source.
 */
export function mimecastReference(random: () => number): string {
  return `[${charsOf(random, BASE64URL, 22)}.${oneOf(random, ["uk", "us", "eu", "au", "za", "de"])}${between(random, 1, 999)}]`;
}

/** A Postfix queue id as another Postfix reports it (`250 2.0.0 Ok: queued as 4F2A31C0B1E`): 10–12 hex. */
export function postfixQueueId(random: () => number): string {
  return charsOf(random, HEX, between(random, 10, 12)).toUpperCase();
}
