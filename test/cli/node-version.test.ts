import assert from "node:assert/strict";
import { test } from "node:test";
import { nodeTooOld } from "../../bin/node-version.js";

test("the CLI entry refuses a Node older than 22.19 with a clear message, and runs on newer ones", () => {
  for (const old of ["v20.20.2", "v22.18.0", "v18.0.0"]) {
    const message = nodeTooOld(old);
    assert.match(
      message ?? "",
      new RegExp(`needs Node\\.js >= 22\\.19; this is ${old.replaceAll(".", "\\.")}`),
    );
    assert.match(message ?? "", /npx deliverlens/);
  }
  for (const ok of ["v22.19.0", "v22.20.1", "v24.21.0", "v25.0.0"]) assert.equal(nodeTooOld(ok), null);
});
