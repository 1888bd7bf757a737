import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const ARF = readFileSync(
  join(import.meta.dirname, "../test/fixtures/bounce-email/arf-complaint.eml"),
  "utf8",
);

/** test/fixtures/bounce-email/arf-complaint.eml (complainer@example.com) with another Feedback-Type (null: none). */
export function arfOfType(type: string | null): string {
  const line = "Feedback-Type: abuse\n";
  assert.ok(ARF.includes(line));
  return ARF.replace(line, type === null ? "" : `Feedback-Type: ${type}\n`);
}
