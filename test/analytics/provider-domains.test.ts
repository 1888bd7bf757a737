import assert from "node:assert/strict";
import { test } from "node:test";
import { PROVIDER_DOMAINS, providerOfDomainSql } from "../../src/analytics/provider-domains.ts";
import { providerFromDomain } from "../../src/bounce/provider.ts";
import { Store } from "../../src/store/index.ts";

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

test("the ingest's SQL gives each listed domain its provider, and other domains `other`", async () => {
  const store = await Store.open(":memory:");
  const domains = [
    ...PROVIDER_DOMAINS.map((entry) => entry.domain),
    ...[
      "example.org",
      "o'hara.example",
      "",
      "mx.icloud.com",
      "icloud.com.",
      "icloud.com..",
      ".",
      "Gmail.com",
      "gmail.co",
    ],
  ];
  const rows = await store.all<{ domain: string; provider: string }>(
    `SELECT domain, ${providerOfDomainSql("domain")} AS provider
     FROM (SELECT unnest(from_json($domains, '["VARCHAR"]')) AS domain)`,
    { domains: JSON.stringify(domains) },
  );
  // A root dot names the domain (R110), as recipientDomain reads it: `icloud.com.` is apple.
  const expected = (domain: string) =>
    PROVIDER_DOMAINS.find((entry) => entry.domain === domain.replace(/\.$/, ""))?.provider ?? "other";
  assert.deepEqual(
    rows.map((row) => [row.domain, row.provider]),
    domains.map((domain) => [domain, expected(domain)]),
  );
  assert.equal(
    (await store.one<{ p: string }>(`SELECT ${providerOfDomainSql("NULL::VARCHAR")} AS p`))?.p,
    "other",
  );
  store.close();
});
