import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { severityLabel } from "../../src/report/severity-terminal.ts";
import { atOrAbove, bySeverity, isSeverity, SEVERITY_ORDER } from "../../src/util/severity.ts";

describe("shared severity vocabulary (inspect, audit, diagnose)", () => {
  it("orders worst first", () => {
    assert.deepEqual(SEVERITY_ORDER, ["critical", "high", "medium", "low", "info"]);
  });

  it("accepts only its own words (not inherited object keys)", () => {
    assert.ok(isSeverity("medium"));
    for (const word of ["severe", "constructor", "toString", "HIGH", ""]) assert.ok(!isSeverity(word), word);
  });

  it("atOrAbove is inclusive and ordered", () => {
    assert.ok(atOrAbove("critical", "high"));
    assert.ok(atOrAbove("high", "high"));
    assert.ok(!atOrAbove("medium", "high"));
    assert.ok(atOrAbove("info", "info"));
  });

  it("sorts findings worst first, then by id", () => {
    const findings = [
      { id: "B", severity: "low" as const },
      { id: "Z", severity: "critical" as const },
      { id: "A", severity: "low" as const },
    ];
    assert.deepEqual(
      findings.sort(bySeverity).map((f) => f.id),
      ["Z", "A", "B"],
    );
  });

  it("labels are upper-case and padded to one width (no colour off a TTY)", () => {
    assert.equal(severityLabel("high"), "HIGH    ");
    assert.equal(severityLabel("critical"), "CRITICAL");
  });
});
