import type { Facts, SendCell } from "../src/diagnose/facts.ts";

/** A diagnose cell (load-facts.ts' aggregate) with everything not given at zero / its neutral value. */
export function sendCell(cell: Pick<SendCell, "day" | "sent" | "dormant"> & Partial<SendCell>): SendCell {
  return {
    campaign: "daily",
    ip: "192.0.2.1",
    pool: "(none)",
    policy: 0,
    deferred: 0,
    policyDeferred: 0,
    rateDeferred: 0,
    policyRateDeferred: 0,
    ...cell,
  };
}

/** Facts for Apple with these cells and nothing else loaded (no replies, tiers or sending domains). */
export function appleFacts(cells: SendCell[], extra: Partial<Facts> = {}): Facts {
  return { provider: "apple", asOf: null, cells, replies: [], tiers: [], sendingDomains: [], ...extra };
}
