import assert from "node:assert/strict";
import { test } from "node:test";
import { domainScope, SCOPED_DOMAINS, SCOPED_PARENTS } from "../../src/bounce/rules/scope.ts";

test("the store's list form of a domain's scope (SCOPED_DOMAINS / SCOPED_PARENTS) agrees with domainScope", () => {
  const listed = (domain: string) =>
    SCOPED_DOMAINS.includes(domain) || SCOPED_PARENTS.some((name) => domain.endsWith(`.${name}`));
  // Domains with a dot only: the classifier reads no domain in an address without one (recipientDomain).
  const domains = new Set<string>(["example.org", "gmail.com", "mail.example.net", "ne.jp", "co.jp"]);
  for (const name of [...SCOPED_DOMAINS, ...SCOPED_PARENTS]) {
    domains.add(name);
    domains.add(`mx.${name}`);
    domains.add(`x${name}`);
    domains.add(name.slice(name.indexOf(".") + 1));
  }
  let scoped = 0;
  for (const domain of domains) {
    if (!domain.includes(".")) continue;
    assert.equal(listed(domain), domainScope(domain) !== "", domain);
    if (listed(domain)) scoped++;
  }
  assert.ok(scoped > 20 && scoped < domains.size, `${scoped} of ${domains.size}`);
  assert.equal(domainScope("docomo.ne.jp"), "host-nttdocomo");
  assert.equal(domainScope("example.org"), "");
});
