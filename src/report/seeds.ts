import { providerLabel } from "../bounce/vocabulary.ts";
import type { SeedResult } from "../seeds/check.ts";
import type { SendOutcome } from "../seeds/send.ts";
import type { SeedPlacementRow } from "../store/seeds.ts";
import { escapeHtml as e } from "./html-escape.ts";
import { escapeLine, paint } from "./terminal.ts";

const PLACEMENT_COLOR = {
  inbox: "green",
  tab: "cyan",
  junk: "red",
  missing: "yellow",
  error: "magenta",
} as const;

/** `seeds check`: a line per provider, then each seed with its folder and reasons (all mail-borne text escaped). */
export function renderSeedCheck(testId: string, results: SeedResult[], notes: string[] = []): string {
  const lines = [`deliverlens seeds check: test ${escapeLine(testId)}, ${results.length} seeds`, ""];
  for (const note of notes) lines.push(`note: ${escapeLine(note)}`);
  if (notes.length > 0) lines.push("");
  lines.push("Placement per provider");
  const byProvider = new Map<string, SeedResult[]>();
  for (const result of results)
    byProvider.set(result.provider, [...(byProvider.get(result.provider) ?? []), result]);
  for (const [provider, rows] of [...byProvider].sort(([a], [b]) => a.localeCompare(b))) {
    const count = (placement: string) => rows.filter((row) => row.placement === placement).length;
    const inboxRate = (count("inbox") + count("tab")) / rows.length;
    lines.push(
      `  ${escapeLine(providerLabel(provider)).padEnd(26)} ${String(rows.length).padStart(4)} seeds  inbox ${count("inbox")}  tab ${count("tab")}  junk ${count("junk")}  missing ${count("missing")}  error ${count("error")}  (${(inboxRate * 100).toFixed(0)} % inbox)`,
    );
  }
  lines.push("", "Seeds");
  for (const result of results) {
    const placement = paint(result.placement.padEnd(7), PLACEMENT_COLOR[result.placement]);
    const where = result.folder ? `  ${escapeLine(result.folder)}` : "";
    lines.push(`  ${placement} ${escapeLine(result.address)} (${escapeLine(result.provider)})${where}`);
    if (result.error) lines.push(`          error: ${escapeLine(result.error)}`);
    for (const reason of result.reasons) lines.push(`          ${escapeLine(reason)}`);
  }
  return `${lines.join("\n")}\n`;
}

/** `seeds send`: the test id, how it was tagged, and each seed's acceptance by the relay. */
export function renderSeedSend(testId: string, outcome: SendOutcome, next: string): string {
  const accepted = outcome.results.filter((result) => result.accepted).length;
  const lines = [
    `deliverlens seeds send: test ${escapeLine(testId)}: ${accepted} of ${outcome.results.length} seeds accepted by the relay (envelope from ${escapeLine(outcome.envelopeFrom)})`,
    outcome.tagged.body === "tagged"
      ? "the test id is in the X-Deliverlens-Test header and at the end of each text part of the body"
      : `note: ${escapeLine(outcome.tagged.note ?? "")}`,
    "",
  ];
  for (const result of outcome.results) {
    const status = result.accepted ? paint("sent    ", "green") : paint("refused ", "red");
    const detail = result.error ?? result.response ?? "";
    lines.push(`  ${status}${escapeLine(result.address)}  ${escapeLine(detail)}`);
  }
  lines.push("", `next: ${next}`);
  return `${lines.join("\n")}\n`;
}

/** `seeds report`: placement per test (campaign) and provider, oldest first. */
export function renderSeedReport(rows: SeedPlacementRow[]): string {
  if (rows.length === 0)
    return "deliverlens seeds report: no seed results in the store (run `deliverlens seeds check` first)\n";
  const lines = [
    "deliverlens seeds report: placement per campaign and provider (the latest check of each seed)",
    "",
  ];
  lines.push(
    `  ${"day".padEnd(10)} ${"campaign / test".padEnd(34)} ${"provider".padEnd(12)} ${"seeds".padStart(5)} ${"inbox".padStart(5)} ${"tab".padStart(4)} ${"junk".padStart(4)} ${"miss".padStart(4)} ${"err".padStart(4)}  inbox %  Proofpoint max  Apple junk`,
  );
  for (const row of rows) {
    const name = escapeLine(row.campaign ? `${row.campaign} (${row.testId})` : row.testId);
    const rate = ((row.inbox + row.tab) / Math.max(1, row.seeds - row.error)) * 100;
    lines.push(
      `  ${row.day.padEnd(10)} ${(name.length > 34 ? `${name.slice(0, 33)}…` : name).padEnd(34)} ${escapeLine(row.provider).padEnd(12)} ${String(row.seeds).padStart(5)} ${String(row.inbox).padStart(5)} ${String(row.tab).padStart(4)} ${String(row.junk).padStart(4)} ${String(row.missing).padStart(4)} ${String(row.error).padStart(4)}  ${`${rate.toFixed(0)} %`.padStart(7)}  ${(row.proofpointMax === null ? "–" : String(row.proofpointMax)).padStart(14)}  ${String(row.appleJunk).padStart(10)}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** The HTML report's seed-list section: placement per campaign at the diagnosed provider (every string escaped). */
export function seedsHtml(rows: SeedPlacementRow[]): string {
  const cells = rows.map((row) => {
    const checked = row.seeds - row.error;
    const inbox = checked > 0 ? `${Math.round(((row.inbox + row.tab) / checked) * 100)} %` : "–";
    return `<tr><td>${e(row.day)}</td><td>${e(row.campaign ?? row.testId)}</td><td>${e(row.provider)}</td><td>${row.seeds}</td><td>${row.inbox}</td><td>${row.tab}</td><td>${row.junk}</td><td>${row.missing}</td><td>${row.error}</td><td>${inbox}</td><td>${row.proofpointMax ?? "–"}</td><td>${row.appleJunk}</td></tr>`;
  });
  return `<h2>Seed-list placement</h2>
<p class="muted">Where seed copies of each tested campaign landed (the latest check of each seed; <code>deliverlens seeds report</code>). Seeds are not engaged recipients: an estimate of placement, not of every inbox.</p>
<div class="table-wrap"><table><tr><th>day</th><th>campaign</th><th>provider</th><th>seeds</th><th>inbox</th><th>tab</th><th>junk</th><th>missing</th><th>error</th><th>inbox %</th><th>Proofpoint max</th><th>Apple junk</th></tr>${cells.join("")}</table></div>`;
}
