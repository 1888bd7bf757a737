import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  createResolver,
  isValidDnsName,
  parseResolverSpec,
  ResolverSpecError,
  reversedIp,
  reverseName,
} from "../../src/dns/index.ts";

describe("reverse names", () => {
  for (const [ip, reversed, ptr] of [
    ["192.0.2.7", "7.2.0.192", "7.2.0.192.in-addr.arpa"],
    ["2001:db8::1", `1.${"0.".repeat(23)}8.b.d.0.1.0.0.2`, `1.${"0.".repeat(23)}8.b.d.0.1.0.0.2.ip6.arpa`],
    ["::ffff:192.0.2.7", "7.2.0.192", "7.2.0.192.in-addr.arpa"],
  ] as const) {
    it(`${ip} → ${ptr}`, () => {
      assert.equal(reversedIp(ip), reversed);
      assert.equal(reverseName(ip), ptr);
    });
  }
  it("null for a non-IP", () => {
    assert.equal(reversedIp("mail.example.test"), null);
    assert.equal(reverseName("300.1.1.1"), null);
  });
});

describe("DNS name validity", () => {
  for (const [name, valid] of [
    ["example.test", true],
    [`${"a".repeat(63)}.test`, true],
    [`${"a".repeat(64)}.test`, false],
    ["a..test", false],
    ["", false],
    [`${"a.".repeat(127)}a`, false],
  ] as const) {
    it(`${name.slice(0, 20)}… is ${valid ? "valid" : "invalid"}`, () =>
      assert.equal(isValidDnsName(name), valid));
  }
  it("the resolver answers bad-name for an impossible name without asking", async () => {
    const resolver = createResolver({ mode: "zones", zones: {} });
    const outcome = await resolver.lookup(`${"x".repeat(70)}.test`, "TXT");
    assert.equal(outcome.kind === "failed" && outcome.reason, "bad-name");
  });
});

describe("--resolver", () => {
  for (const [text, spec] of [
    ["system", { mode: "system" }],
    ["udp://127.0.0.1:5353", { mode: "udp", host: "127.0.0.1", port: 5353 }],
    ["udp://10.0.0.53", { mode: "udp", host: "10.0.0.53", port: 53 }],
    ["udp://[::1]:5353", { mode: "udp", host: "::1", port: 5353 }],
  ] as const) {
    it(`parses ${text}`, () => assert.deepEqual(parseResolverSpec(text), spec));
  }
  for (const text of [
    "udp://dns.example:53",
    "tcp://127.0.0.1:53",
    "udp://127.0.0.1:70000",
    "udp://999.0.0.1:53",
    "8.8.8.8",
    "",
  ]) {
    it(`rejects "${text}"`, () => assert.throws(() => parseResolverSpec(text), ResolverSpecError));
  }
});
