import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseSpf } from "../../src/audit/spf-record.ts";

/** Record → the terms as [qualifier+mechanism|modifier, value, cidr4, cidr6], and the syntax errors. */
const TABLE: { record: string; terms: (string | number | undefined)[][]; errors?: RegExp[] }[] = [
  { record: "v=spf1 -all", terms: [["-all", undefined, undefined, undefined]] },
  {
    record: "v=spf1 ip4:192.0.2.0/24 ~all",
    terms: [
      ["+ip4", "192.0.2.0", 24, undefined],
      ["~all", undefined, undefined, undefined],
    ],
  },
  { record: "v=spf1 ip6:2001:db8::/32", terms: [["+ip6", "2001:db8::", 32, undefined]] },
  {
    record: "v=spf1 a/24//64 mx:mail.test ?include:esp.test",
    terms: [
      ["+a", undefined, 24, 64],
      ["+mx", "mail.test", undefined, undefined],
      ["?include", "esp.test", undefined, undefined],
    ],
  },
  {
    record: "V=SPF1 EXISTS:%{i}.x.test redirect=_spf.test exp=explain.test",
    terms: [
      ["+exists", "%{i}.x.test", undefined, undefined],
      ["redirect", "_spf.test"],
      ["exp", "explain.test"],
    ],
  },
  {
    record: "v=spf1 ip4:300.1.1.1 include: all:x ip4:192.0.2.0/33 foo",
    terms: [],
    errors: [/ip4:300/, /include:/, /all:x/, /\/33/, /foo/],
  },
  { record: "v=spf1 ip6:192.0.2.1 ptr/24", terms: [], errors: [/ip6/, /ptr/] },
  {
    record: "v=spf1 redirect=a.test redirect=b.test",
    terms: [
      ["redirect", "a.test"],
      ["redirect", "b.test"],
    ],
    errors: [/redirect given twice/],
  },
];

describe("SPF record parser (RFC 7208 section 12)", () => {
  for (const row of TABLE) {
    it(row.record, () => {
      const parsed = parseSpf(row.record);
      const terms = parsed.terms.map((t) =>
        t.kind === "modifier"
          ? [t.modifier, t.value]
          : [`${t.qualifier}${t.mechanism}`, t.value, t.cidr4, t.cidr6],
      );
      assert.deepEqual(terms, row.terms);
      assert.equal(parsed.errors.length, row.errors?.length ?? 0, parsed.errors.join("; "));
      for (const [i, pattern] of (row.errors ?? []).entries()) assert.match(parsed.errors[i], pattern);
    });
  }
});
