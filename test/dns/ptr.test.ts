import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createResolver } from "../../src/dns/index.ts";
import { checkReverseDns } from "../../src/dns/ptr.ts";

const zones = {
  "7.2.0.192.in-addr.arpa": { PTR: ["Mail.Example.Test."] },
  "mail.example.test": { A: ["192.0.2.7"] },
  "8.2.0.192.in-addr.arpa": { PTR: ["a.test", "b.test", "c.test", "d.test", "e.test", "f.test"] },
  "f.test": { A: ["192.0.2.8"] },
  "9.2.0.192.in-addr.arpa": { PTR: ["v6only.test"] },
  "v6only.test": { AAAA: ["2001:db8::9"] },
  "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa": { PTR: ["six.test"] },
  "six.test": { AAAA: ["2001:0db8:0000::1"] },
  "10.2.0.192.in-addr.arpa": { fault: "servfail" as const },
};

describe("checkReverseDns (PTR and forward confirmation, shared by audit and inspect)", () => {
  const resolver = () => createResolver({ mode: "zones", zones });

  it("confirms a PTR name that resolves back, reporting names lowercased without the root dot", async () => {
    const result = await checkReverseDns(resolver(), "192.0.2.7");
    assert.deepEqual(result, {
      kind: "found",
      ip: "192.0.2.7",
      query: "7.2.0.192.in-addr.arpa",
      names: ["mail.example.test"],
      confirmedBy: "mail.example.test",
    });
  });

  it("an IPv4-mapped IPv6 address is checked as IPv4 (in-addr.arpa, then A)", async () => {
    const result = await checkReverseDns(resolver(), "::ffff:192.0.2.7");
    assert.equal(result.kind === "found" && result.confirmedBy, "mail.example.test");
  });

  it("IPv6 compares normalized addresses", async () => {
    const result = await checkReverseDns(resolver(), "2001:db8::1");
    assert.equal(result.kind === "found" && result.confirmedBy, "six.test");
  });

  it("asks at most five PTR names forward, so a sixth that would confirm is not reached", async () => {
    const dns = resolver();
    const result = await checkReverseDns(dns, "192.0.2.8");
    assert.equal(result.kind === "found" && result.confirmedBy, null);
    assert.equal(result.kind === "found" && result.names.length, 6);
    assert.equal(dns.log.filter((q) => q.type === "A").length, 5);
  });

  it("a name with only AAAA does not confirm an IPv4 address", async () => {
    const result = await checkReverseDns(resolver(), "192.0.2.9");
    assert.equal(result.kind === "found" && result.confirmedBy, null);
  });

  it("no PTR, a failed lookup and a non-IP are told apart", async () => {
    const none = await checkReverseDns(resolver(), "192.0.2.99");
    assert.equal(none.kind, "none");
    const failed = await checkReverseDns(resolver(), "192.0.2.10");
    assert.equal(failed.kind === "failed" && failed.outcome.reason, "servfail");
    assert.deepEqual(await checkReverseDns(resolver(), "not-an-ip"), { kind: "invalid", ip: "not-an-ip" });
  });
});
