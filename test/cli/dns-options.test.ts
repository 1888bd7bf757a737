import assert from "node:assert/strict";
import { test } from "node:test";
import { UsageError } from "../../src/cli/exit.ts";
import { domainOption, ipOptions, resolverOption } from "../../src/dns/options.ts";

test("--domain: IDNs become A-labels, case and trailing dot are normalized, junk is a usage error", () => {
  assert.equal(domainOption("Bücher.Example."), "xn--bcher-kva.example");
  assert.throws(() => domainOption("not a domain"), UsageError);
  assert.throws(() => domainOption("localhost"), UsageError);
});

test("--ip: repeated and comma-separated values are trimmed and deduplicated; a bad one is a usage error", () => {
  assert.deepEqual(ipOptions(["192.0.2.1, 192.0.2.2", "192.0.2.1", "2001:db8::1"]), [
    "192.0.2.1",
    "192.0.2.2",
    "2001:db8::1",
  ]);
  assert.deepEqual(ipOptions(undefined), []);
  assert.throws(() => ipOptions(["192.0.2.300"]), /--ip: "192.0.2.300"/);
});

test("--resolver: system and udp://host:port parse; anything else is a usage error", () => {
  assert.deepEqual(resolverOption("system"), { mode: "system" });
  assert.equal(resolverOption("udp://127.0.0.1:5353").mode, "udp");
  assert.throws(() => resolverOption("tcp://nowhere"), UsageError);
});
