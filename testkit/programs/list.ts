/** The mailing list: addresses per provider, signup cohorts of varying quality, latent engagement. */
import type { Recipient } from "./model.ts";
import type { Provider } from "./replies.ts";
import type { Rng } from "./rng.ts";

const FIRST = [
  "anna",
  "ben",
  "carla",
  "david",
  "emma",
  "felix",
  "grace",
  "henry",
  "isla",
  "jack",
  "kate",
  "liam",
  "maria",
  "noah",
  "olivia",
  "paul",
  "quinn",
  "rosa",
  "sam",
  "tara",
  "umar",
  "vera",
  "will",
  "xena",
  "yusuf",
  "zoe",
  "lucas",
  "mia",
  "leo",
  "nina",
  "omar",
  "priya",
  "jonas",
  "sofia",
  "mateo",
  "chloe",
  "ethan",
  "hana",
];
const LAST = [
  "smith",
  "jones",
  "garcia",
  "miller",
  "davis",
  "lopez",
  "wilson",
  "moore",
  "taylor",
  "thomas",
  "lee",
  "white",
  "harris",
  "martin",
  "clark",
  "lewis",
  "walker",
  "young",
  "king",
  "wright",
  "scott",
  "green",
  "baker",
  "adams",
  "nelson",
  "hill",
  "campbell",
  "mitchell",
  "roberts",
  "carter",
  "phillips",
  "evans",
];

/** Recipient domains per provider, with their weights inside the provider. */
const DOMAINS: Record<Provider, readonly (readonly [string, number])[]> = {
  apple: [
    ["icloud.com", 70],
    ["me.com", 20],
    ["mac.com", 10],
  ],
  google: [
    ["gmail.com", 97],
    ["googlemail.com", 3],
  ],
  yahoo: [
    ["yahoo.com", 70],
    ["aol.com", 20],
    ["ymail.com", 10],
  ],
  microsoft: [
    ["outlook.com", 40],
    ["hotmail.com", 40],
    ["live.com", 12],
    ["msn.com", 8],
  ],
  other: [
    ["comcast.net", 20],
    ["gmx.net", 10],
    ["web.de", 8],
    ["proton.me", 8],
    ["fastmail.com", 5],
    ["verizon.net", 6],
    ["t-online.de", 6],
    ["orange.fr", 6],
    ["shaw.ca", 4],
    ["northwind-logistics.com", 4],
    ["contoso-dental.com", 3],
    ["riverbend.edu", 4],
  ],
};

export interface ProviderMix {
  apple: number;
  google: number;
  yahoo: number;
  microsoft: number;
  other: number;
}

export function providerMix(rng: Rng): ProviderMix {
  return {
    apple: rng.uniform(0.2, 0.3),
    google: rng.uniform(0.33, 0.43),
    yahoo: rng.uniform(0.08, 0.13),
    microsoft: rng.uniform(0.08, 0.13),
    other: rng.uniform(0.06, 0.1),
  };
}

/** Cohort quality: how engaged its people are, how many addresses are dead, how fast interest fades. */
export interface CohortQuality {
  /** Share with no interest at all (never read). */
  zero: number;
  /** Beta(a, b) of the others' read probability. */
  a: number;
  b: number;
  invalid: number;
  /** Share whose interest fades (half-life 30–90 days). */
  fading: number;
}

export const QUALITY: Record<string, CohortQuality> = {
  good: { zero: 0.12, a: 2.2, b: 3, invalid: 0.004, fading: 0.15 },
  old: { zero: 0.35, a: 1.2, b: 4, invalid: 0.01, fading: 0.2 },
  poor: { zero: 0.7, a: 0.8, b: 6, invalid: 0.05, fading: 0.4 },
  stale: { zero: 0.88, a: 0.6, b: 8, invalid: 0.07, fading: 0.5 },
};

export class ListBuilder {
  readonly recipients: Recipient[] = [];
  readonly #seen = new Set<string>();
  readonly #rng: Rng;
  readonly #mix: ProviderMix;

  constructor(rng: Rng, mix: ProviderMix) {
    this.#rng = rng;
    this.#mix = mix;
  }

  add(cohort: string, quality: CohortQuality, joinedDay: number, oneOff = false): number {
    const rng = this.#rng;
    const provider = rng.weighted(Object.entries(this.#mix) as [Provider, number][]);
    const domain = rng.weighted(DOMAINS[provider]);
    let address = "";
    for (;;) {
      const first = rng.pick(FIRST);
      const last = rng.pick(LAST);
      const style = rng.int(0, 4);
      const local =
        style === 0
          ? `${first}.${last}`
          : style === 1
            ? `${first}${last}${rng.int(1, 99)}`
            : style === 2
              ? `${first[0]}${last}${rng.int(60, 99)}`
              : style === 3
                ? `${first}_${last}${rng.int(1, 9999)}`
                : `${first}${rng.int(100, 99999)}`;
      address = `${local}@${domain}`;
      if (!this.#seen.has(address)) break;
    }
    this.#seen.add(address);
    const zero = rng.chance(quality.zero);
    const engagement = zero ? 0 : rng.beta(quality.a, quality.b);
    const appleMail = provider === "apple" ? rng.chance(0.9) : rng.chance(0.3);
    const fading = rng.chance(quality.fading);
    // What the sender saw before the data starts: recent opens for the engaged (and MPP prefetches).
    let lastSeen: number | null = null;
    if (joinedDay < 0 && (engagement > 0.05 || appleMail)) lastSeen = -rng.int(1, 120);
    this.recipients.push({
      address,
      domain,
      provider,
      joinedDay,
      cohort,
      invalid: rng.chance(quality.invalid),
      appleMail,
      mpp: appleMail && rng.chance(0.85),
      engagement,
      decayPerDay: fading ? Math.LN2 / rng.uniform(30, 90) : 0,
      lastSeen,
      suppressedDay: null,
      oneOff,
    });
    return this.recipients.length - 1;
  }
}

/** The recipient's latent probability of reading a message on `day`. */
export function engagementOn(r: Recipient, day: number): number {
  return r.engagement * Math.exp(-r.decayPerDay * Math.max(0, day - Math.max(0, r.joinedDay)));
}
