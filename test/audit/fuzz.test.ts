import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { loadBlocklists } from "../../src/audit/blocklist-data.ts";
import { decodeAnswers } from "../../src/audit/blocklists.ts";
import { auditContext, parseTags } from "../../src/audit/context.ts";
import { describeKey } from "../../src/audit/dkim.ts";
import { auditDmarc } from "../../src/audit/dmarc.ts";
import { auditSpf } from "../../src/audit/spf.ts";
import { createResolver, type ZoneData } from "../../src/dns/index.ts";

const lists = await loadBlocklists();
const SPF_WORDS = [
  "v=spf1",
  "include:",
  "a",
  "mx",
  "ptr",
  "ip4:",
  "ip6:",
  "exists:",
  "redirect=",
  "-all",
  "+all",
  "~all",
  "?all",
  "%{i}",
  "/24",
  "//64",
  "x.test",
  "192.0.2.1",
  "::1",
  ":",
  "=",
  " ",
];
const spfish = fc
  .array(fc.oneof(fc.constantFrom(...SPF_WORDS), fc.string({ maxLength: 8 })), { maxLength: 25 })
  .map((parts) => `v=spf1 ${parts.join("")}`);
const context = (zones: ZoneData) =>
  auditContext(createResolver({ mode: "zones", zones }), "x.test", lists, {
    ips: ["192.0.2.1", "2001:db8::1"],
  });

describe("fuzz: hostile DNS text never crashes the audit", () => {
  it("SPF records built from SPF-like fragments (records include each other)", async () => {
    await fc.assert(
      fc.asyncProperty(spfish, spfish, async (root, included) => {
        const result = await auditSpf(
          context({ "x.test": { TXT: [root] }, "y.x.test": { TXT: [included] } }),
        );
        assert.ok(Array.isArray(result.findings));
        assert.ok(result.section.lookups >= 0);
      }),
      { numRuns: 150 },
    );
  });

  it("DMARC records of arbitrary tags", async () => {
    const record = fc
      .array(fc.tuple(fc.string({ maxLength: 6 }), fc.string({ maxLength: 12 })), { maxLength: 8 })
      .map((tags) => `v=DMARC1; ${tags.map(([t, v]) => `${t}=${v}`).join(";")}`);
    await fc.assert(
      fc.asyncProperty(record, async (text) => {
        const result = await auditDmarc(
          context({ "_dmarc.x.test": { TXT: [text] }, "x.test": { A: ["192.0.2.1"] } }),
        );
        assert.ok(Array.isArray(result.findings));
      }),
      { numRuns: 150 },
    );
  });

  it("tag lists, DKIM keys and blocklist answers", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.array(fc.ipV4(), { maxLength: 4 }), (text, answers) => {
        parseTags(text);
        describeKey(text);
        describeKey(`v=DKIM1; p=${text}`);
        for (const list of lists.lists) {
          const verdict = decodeAnswers(list, answers.length > 0 ? answers : ["127.0.0.2"]);
          assert.ok(["listed", "reputation", "unknown"].includes(verdict.status));
        }
      }),
      { numRuns: 300 },
    );
  });
});
