import type { Provider } from "../bounce/vocabulary.ts";
import { Random } from "./random.ts";

/** Recipient domains per provider in the generated list (weights within the provider). */
export const DEMO_DOMAINS: Record<string, readonly (readonly [string, number])[]> = {
  apple: [
    ["icloud.com", 8],
    ["me.com", 1.5],
    ["mac.com", 0.5],
  ],
  google: [
    ["gmail.com", 9],
    ["googlemail.com", 1],
  ],
  yahoo: [
    ["yahoo.com", 7],
    ["aol.com", 3],
  ],
  microsoft: [
    ["outlook.com", 5],
    ["hotmail.com", 4],
    ["live.com", 1],
  ],
  other: [
    ["example-corp.com", 1],
    ["example.net", 1],
    ["example.org", 1],
  ],
};

/** Default mix: Apple well represented, as in a US consumer list. */
export const DEFAULT_PROVIDER_MIX: Partial<Record<Provider, number>> = {
  apple: 0.35,
  google: 0.3,
  yahoo: 0.12,
  microsoft: 0.12,
  other: 0.11,
};

/** Engagement segments: base chance of a human open per delivered message. */
export const SEGMENTS = [
  { name: "engaged", share: 0.3, open: 0.35, click: 0.3 },
  { name: "casual", share: 0.35, open: 0.1, click: 0.2 },
  { name: "fading", share: 0.1, open: 0.02, click: 0.1 },
  { name: "dormant", share: 0.25, open: 0.003, click: 0.05 },
] as const;
export const DORMANT = SEGMENTS.length - 1;

/** The generated list, as typed arrays so a million recipients stay small. */
export interface Population {
  size: number;
  address(i: number): string;
  provider: string[];
  providerOf: Uint8Array;
  segment: Uint8Array;
  /** Apple Mail with Privacy Protection: every delivered message gets a machine open. */
  mpp: Uint8Array;
  invalid: Uint8Array;
}

/** A few addresses of the kinds list hygiene flags: typo domains, role accounts, disposable domains. */
const ROLES = ["info", "sales", "support"] as const;
const QUIRKS: readonly { share: number; address: (i: number) => string }[] = [
  { share: 0.003, address: (i) => `user${i}@gmial.com` },
  { share: 0.002, address: (i) => `user${i}@icloud.con` },
  { share: 0.003, address: (i) => `${ROLES[i % ROLES.length]}@company${i}.example` },
  { share: 0.002, address: (i) => `user${i}@mailinator.com` },
];

export function buildPopulation(
  size: number,
  mix: Partial<Record<Provider, number>>,
  seed: number,
): Population {
  const random = new Random(seed ^ 0x51ed270b);
  const providers = Object.keys(mix).filter((p) => (mix[p as Provider] ?? 0) > 0);
  const weights = providers.map((p) => mix[p as Provider] ?? 0);
  const providerOf = new Uint8Array(size);
  const domainOf = new Uint8Array(size);
  const segment = new Uint8Array(size);
  const mpp = new Uint8Array(size);
  const invalid = new Uint8Array(size);
  const quirk = new Uint8Array(size);
  for (let i = 0; i < size; i++) {
    const p = random.weighted(weights);
    providerOf[i] = p;
    const domains = DEMO_DOMAINS[providers[p]] ?? DEMO_DOMAINS.other;
    domainOf[i] = random.weighted(domains.map(([, w]) => w));
    segment[i] = random.weighted(SEGMENTS.map((s) => s.share));
    mpp[i] = providers[p] === "apple" && random.chance(0.75) ? 1 : 0;
    invalid[i] = random.chance(0.01) ? 1 : 0;
    quirk[i] = random.weighted([1 - QUIRKS.reduce((a, q) => a + q.share, 0), ...QUIRKS.map((q) => q.share)]);
  }
  return {
    size,
    provider: providers,
    providerOf,
    segment,
    mpp,
    invalid,
    address(i) {
      if (quirk[i]) return QUIRKS[quirk[i] - 1].address(i);
      const domains = DEMO_DOMAINS[providers[providerOf[i]]] ?? DEMO_DOMAINS.other;
      return `user${i}@${domains[domainOf[i]][0]}`;
    },
  };
}
