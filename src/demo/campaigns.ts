import type { Injection, ProgramOptions } from "./options.ts";

export interface Campaign {
  id: string;
  day: number;
  kind: "newsletter" | "winback" | "triggered";
  stream: "marketing" | "transactional";
  subject: string;
  links: string[];
  /** Policy-bounce chance per message at `policyProvider` for this campaign (content injection). */
  policyRate: number | null;
  policyProvider: string | null;
  /** Winback blasts reach this share of the dormant segment. */
  dormantShare: number;
}

const SITE_LINKS = ["https://www.example-shop.com/new", "https://www.example-shop.com/account"];
export const SHORTENER_LINKS = ["https://bit.ly/3xDemo1", "https://tinyurl.com/demo-sale"];

/** The program's campaigns in send order: a Tuesday newsletter every week, blasts where injected. */
export function planCampaigns(options: ProgramOptions): Campaign[] {
  const campaigns: Campaign[] = [];
  const base = { stream: "marketing" as const, policyRate: null, policyProvider: null, dormantShare: 0 };
  for (let week = 0; week * 7 + 1 < options.days; week++) {
    const content = options.injections.find(
      (i): i is Extract<Injection, { kind: "content" }> => i.kind === "content" && i.week === week,
    );
    campaigns.push({
      ...base,
      id: `nl-w${String(week).padStart(2, "0")}`,
      day: week * 7 + 1,
      kind: "newsletter",
      subject: content ? "Flash sale: 70% off today only" : `Our week ${week} picks for you`,
      links: content ? (content.links ?? SHORTENER_LINKS) : SITE_LINKS,
      policyRate: content ? (content.policyRate ?? 0.05) : null,
      policyProvider: content ? (content.provider ?? "apple") : null,
    });
  }
  for (const injection of options.injections) {
    if (injection.kind !== "volume-spike" || injection.day >= options.days) continue;
    campaigns.push({
      ...base,
      id: `winback-d${String(injection.day).padStart(3, "0")}`,
      day: injection.day,
      kind: "winback",
      subject: "We miss you - here is 20% off",
      links: SITE_LINKS,
      dormantShare: injection.dormantShare ?? 0.9,
    });
  }
  campaigns.push({
    ...base,
    id: "triggered",
    day: 0,
    kind: "triggered",
    stream: "transactional",
    subject: "Your order update",
    links: ["https://www.example-shop.com/orders"],
  });
  return campaigns.sort((a, b) => a.day - b.day || a.id.localeCompare(b.id));
}
