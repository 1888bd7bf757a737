import assert from "node:assert/strict";
import { test } from "node:test";
import { providerFromDomain, RECIPIENT_DOMAINS, recipientDomain } from "../../src/bounce/provider.ts";
import {
  domainScope,
  PLAIN_DOMAIN,
  SCOPED_DOMAINS,
  SCOPED_PARENTS,
  SINGLED_OUT_DOMAIN,
} from "../../src/bounce/rules/scope.ts";

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

test("a domain the store's reply key leaves out (PLAIN_DOMAIN and not SINGLED_OUT_DOMAIN) is one the classifier reads as no provider's and unscoped", () => {
  const plain = new RegExp(PLAIN_DOMAIN);
  const singled = new RegExp(SINGLED_OUT_DOMAIN);
  const names = [
    ...SCOPED_DOMAINS,
    ...SCOPED_PARENTS,
    ...RECIPIENT_DOMAINS.flatMap((rule) => [rule.domain ?? "", ...(rule.known ?? []), rule.label ?? ""]),
  ].filter(Boolean);
  const domains = new Set<string>([
    "example.org",
    "mail.example.net",
    "ne.jp",
    "co.jp",
    "com.ar",
    "x-y.example",
  ]);
  for (const name of names) {
    for (const form of [name, `mx.${name}`, `x${name}`, `${name}x.com`, `${name}.com.ar`, `${name}.co.uk`]) {
      for (const written of [form, `${form}.`, form.toUpperCase(), `${form}>`, `${form} x`])
        domains.add(written);
    }
  }
  let shared = 0;
  for (const domain of domains) {
    if (!plain.test(domain) || singled.test(domain)) continue;
    shared++;
    assert.equal(recipientDomain(`u@${domain}`), domain, domain);
    assert.equal(domainScope(domain), "", domain);
    assert.equal(providerFromDomain(domain), null, domain);
  }
  assert.ok(shared > 50, `${shared} of ${domains.size}`);
  for (const kept of [
    "docomo.ne.jp",
    "docomo.ne.jp.",
    "yahoo.com.ar",
    "sub.icloud.com",
    "Example.org",
    "a.org>",
  ]) {
    assert.ok(!plain.test(kept) || singled.test(kept), kept);
  }
  assert.ok(plain.test("example.org") && !singled.test("example.org"));
});
