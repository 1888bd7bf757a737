import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { BounceRecord } from "../src/bounce/record.ts";
import { classifyEmailBuffer } from "../src/pipeline/classify-email.ts";

/** Agreement of the email path with Sisimai's expected results (test/fixtures/sisimai/expected.jsonl). */

export const CORPUS_DIR = new URL("../test/fixtures/sisimai/", import.meta.url).pathname;

export interface ExpectedRow {
  file: string;
  recipient: number;
  reason: string;
  status: string;
  replycode: string | null;
  hardbounce: boolean;
  feedbacktype?: string;
}

export interface Disagreement {
  file: string;
  position: number;
  expected: string;
  got: string;
  recipient: string | null;
  diagnostic: string;
  /** The id of the rule that decided (rule tables, status, hint). */
  rule: string | null;
}

export interface CorpusResult {
  counted: number;
  agreed: number;
  /** expected reason → got reason → count */
  confusion: Map<string, Map<string, number>>;
  disagreements: Disagreement[];
  status: { checked: number; agreed: number; mismatches: string[] };
  suppress: { checked: number; agreed: number; mismatches: string[] };
  missingRecords: number;
  extraRecords: number;
  messages: number;
}

/** Sisimai's internal placeholders (5.0.9xx / 4.0.9xx) are not real codes: we emit null there. */
const isPlaceholder = (status: string) => /^[45]\.0\.9\d\d$/.test(status);

/** The record's reason. */
export function reasonOf(record: BounceRecord): string {
  return record.reason;
}

export function loadExpected(): Map<string, ExpectedRow[]> {
  const rows = new Map<string, ExpectedRow[]>();
  for (const line of readFileSync(join(CORPUS_DIR, "expected.jsonl"), "utf8").split("\n")) {
    if (!line.trim()) continue;
    const row = JSON.parse(line) as ExpectedRow;
    const list = rows.get(row.file) ?? [];
    list.push(row);
    rows.set(row.file, list);
  }
  for (const list of rows.values()) list.sort((a, b) => a.recipient - b.recipient);
  return rows;
}

export function measureCorpus(): CorpusResult {
  const expected = loadExpected();
  const result: CorpusResult = {
    counted: 0,
    agreed: 0,
    confusion: new Map(),
    disagreements: [],
    status: { checked: 0, agreed: 0, mismatches: [] },
    suppress: { checked: 0, agreed: 0, mismatches: [] },
    missingRecords: 0,
    extraRecords: 0,
    messages: 0,
  };
  const eml = join(CORPUS_DIR, "eml");
  for (const file of readdirSync(eml).sort()) {
    result.messages++;
    // As the CLI reads a file: an mbox is split into its messages first.
    const records = [...classifyEmailBuffer(readFileSync(join(eml, file)), file)].filter(
      (item): item is BounceRecord => "recipient" in item,
    );
    const rows = expected.get(file) ?? [];
    result.extraRecords += Math.max(0, records.length - rows.length);
    rows.forEach((row, index) => {
      const record = records[index];
      if (!record) result.missingRecords++;
      if (row.reason === "onhold" || row.reason === "undefined") return;
      const got = record ? reasonOf(record) : "(no record)";
      result.counted++;
      const byGot = result.confusion.get(row.reason) ?? new Map<string, number>();
      byGot.set(got, (byGot.get(got) ?? 0) + 1);
      result.confusion.set(row.reason, byGot);
      if (got === row.reason) result.agreed++;
      else
        result.disagreements.push({
          file,
          position: row.recipient,
          expected: row.reason,
          got,
          recipient: record?.recipient ?? null,
          diagnostic: record?.diagnostic.slice(0, 160) ?? "",
          rule: record?.rule.id ?? null,
        });
      if (!record) return;
      if (row.status && !isPlaceholder(row.status)) {
        result.status.checked++;
        if (record.status === row.status) result.status.agreed++;
        else
          result.status.mismatches.push(
            `${file}#${row.recipient}: expected ${row.status}, got ${record.status}`,
          );
      }
      if (record.rule.id !== "stub") {
        result.suppress.checked++;
        if (record.suppressRecipient === row.hardbounce) result.suppress.agreed++;
        else
          result.suppress.mismatches.push(
            `${file}#${row.recipient}: hardbounce ${row.hardbounce}, suppressRecipient ${record.suppressRecipient}`,
          );
      }
    });
  }
  return result;
}
