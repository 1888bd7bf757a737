import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { it } from "node:test";
import { HeaderField } from "../../src/bounce/email/headers.ts";
import { recordsFromEmail } from "../../src/bounce/email/index.ts";
import { ParsedContentType } from "../../src/bounce/email/mime.ts";
import { scanEmail } from "../../src/bounce/email/scan.ts";

/**
 * What the email reader works out only on first use (scan.ts, headers.ts, mime.ts), counted over the
 * development corpus: each is worked out at most once per object, and only when a reader needs it. An argument
 * that reads one eagerly (review R88: `mail.reportText` passed for every record, evaluated before the callee
 * looked at the Action) adds hundreds of decodes without changing one answer, so only a count shows it. The
 * bounds are the counts the readers needed when this test was written (main 2351881c): a reader change that
 * needs more raises its bound in the same commit and says why; one that needs fewer lowers it.
 */
const BOUNDS = {
  /** Messages whose human-readable report was decoded (tags, charset, cut before the original's copy). */
  reportText: 251,
  /** Messages whose attached original's header block was parsed. */
  originalHeaders: 44,
  /** Header fields whose value was unfolded. */
  fieldValues: 4_315,
  /** Header fields whose name was lower-cased (a look-up compares lengths first). */
  fieldNames: 6_038,
  /** Content-Type (or Content-Disposition) values whose parameters were read. */
  params: 970,
};

type Counted = keyof typeof BOUNDS;

/** Counts each object once as `label` when `key` (a getter or a method of `proto`) is first used on it. */
function countFirstUse(proto: object, key: string, label: Counted, counts: Record<Counted, number>) {
  const original = Object.getOwnPropertyDescriptor(proto, key);
  assert.ok(original, `${key} is on the prototype`);
  const seen = new WeakSet<object>();
  const first = (self: object) => {
    if (seen.has(self)) return;
    seen.add(self);
    counts[label]++;
  };
  const get = original.get;
  const method = original.value as ((...args: unknown[]) => unknown) | undefined;
  Object.defineProperty(
    proto,
    key,
    get
      ? {
          ...original,
          get() {
            first(this);
            return get.call(this);
          },
        }
      : {
          ...original,
          value(this: object, ...args: unknown[]) {
            first(this);
            return method?.apply(this, args);
          },
        },
  );
  return () => Object.defineProperty(proto, key, original);
}

it("the development corpus is read with no more lazy parts worked out than its readers need (review R88)", () => {
  const counts: Record<Counted, number> = {
    reportText: 0,
    originalHeaders: 0,
    fieldValues: 0,
    fieldNames: 0,
    params: 0,
  };
  const message = Object.getPrototypeOf(scanEmail("From: a@example.org\n\nx\n"));
  const restore = [
    countFirstUse(message, "reportText", "reportText", counts),
    countFirstUse(message, "originalHeaders", "originalHeaders", counts),
    countFirstUse(HeaderField.prototype, "value", "fieldValues", counts),
    countFirstUse(HeaderField.prototype, "name", "fieldNames", counts),
    countFirstUse(ParsedContentType.prototype, "params", "params", counts),
  ];
  let records = 0;
  try {
    const corpus = new URL("../fixtures/sisimai/eml/", import.meta.url);
    for (const name of readdirSync(corpus).sort())
      records += recordsFromEmail(readFileSync(new URL(name, corpus)), name).records.length;
  } finally {
    for (const undo of restore) undo();
  }
  // The counts are of a real read: every file gave its records, and each counter saw its part used.
  assert.ok(records > 400, `records ${records}`);
  for (const label of Object.keys(BOUNDS) as Counted[]) {
    assert.ok(counts[label] > 0, `${label} never counted`);
    assert.ok(
      counts[label] <= BOUNDS[label],
      `${label}: ${counts[label]} worked out, bound ${BOUNDS[label]} (an eager read? see this file's comment)`,
    );
  }
});
