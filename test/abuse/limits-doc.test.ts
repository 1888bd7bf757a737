import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { SPF_EXPANSION_LIMITS } from "../../src/audit/spf-tree.ts";
import {
  describeLimit,
  FUTURE_TOLERANCE_HOURS,
  LIMITS,
  type LimitName,
  limitOf,
} from "../../src/util/limits.ts";

const doc = readFileSync(new URL("../../docs/LIMITS.md", import.meta.url), "utf8");

test("docs/LIMITS.md names every limit of src/util/limits.ts with its variable and default", () => {
  for (const [name, limit] of Object.entries(LIMITS)) {
    const row = doc.split("\n").find((line) => line.startsWith("|") && line.includes(`\`${limit.env}\``));
    assert.ok(row, `${name}: no table row names ${limit.env}`);
    const shown = !limit.env.endsWith("_BYTES")
      ? limit.default.toLocaleString("en-US")
      : limit.default % (1024 * 1024) === 0
        ? `${limit.default / 1024 / 1024} MiB`
        : `${limit.default / 1024} KiB`;
    assert.ok(row.includes(shown), `${name}: the row does not show the default ${shown}: ${row}`);
  }
  assert.match(
    doc,
    new RegExp(`at most ${SPF_EXPANSION_LIMITS.terms}\\b|\\| ${SPF_EXPANSION_LIMITS.terms} \\(`),
  );
  assert.ok(
    doc.includes(`more than ${FUTURE_TOLERANCE_HOURS} hours after it`),
    "the tolerance for future times",
  );
});

test("a limit is raised by its environment variable; anything but a positive whole number keeps the default", () => {
  const name: LimitName = "recipientsPerMessage";
  const { env } = LIMITS[name];
  const saved = process.env[env];
  try {
    process.env[env] = "5000";
    assert.equal(limitOf(name), 5000);
    for (const bad of ["0", "-3", "1e9", "lots", ""]) {
      process.env[env] = bad;
      assert.equal(limitOf(name), LIMITS[name].default, bad);
    }
  } finally {
    if (saved === undefined) delete process.env[env];
    else process.env[env] = saved;
  }
  assert.equal(
    describeLimit("messageBytes", 32 * 1024 * 1024),
    "the limit of 32 MiB per email message (raise it with DELIVERLENS_MAX_MESSAGE_BYTES)",
  );
});
