import assert from "node:assert/strict";
import { test } from "node:test";
import { PROVIDER_DOMAINS } from "../../src/analytics/provider-domains.ts";
import { providerFromDomain } from "../../src/bounce/provider.ts";

test("analytics' provider domains are the bounce table's, with the same answers", () => {
  const byDomain = new Map(PROVIDER_DOMAINS.map((entry) => [entry.domain, entry.provider]));
  assert.equal(byDomain.size, PROVIDER_DOMAINS.length, "each domain once");
  for (const { domain, provider } of PROVIDER_DOMAINS)
    assert.equal(provider, providerFromDomain(domain), domain);
  assert.equal(byDomain.get("icloud.com"), "apple");
  assert.equal(byDomain.get("yahoo.fr"), "yahoo");
  assert.equal(byDomain.get("hotmail.co.uk"), "microsoft");
  assert.equal(byDomain.get("gmx.de"), "gmx");
  assert.equal(byDomain.get("att.net"), "yahoo");
  assert.equal(byDomain.get("privaterelay.appleid.com"), "apple");
  assert.equal(byDomain.has("yahoo.co.jp"), false, "`other` entries are left to the default");
});
