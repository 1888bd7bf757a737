import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runAudit } from "../../src/audit/audit.ts";
import { type BlocklistData, loadBlocklists } from "../../src/audit/blocklist-data.ts";
import { AUDIT_CATALOG } from "../../src/audit/catalog.ts";
import { auditContext, type PolicyFetcher } from "../../src/audit/context.ts";
import { createResolver } from "../../src/dns/index.ts";
import type { ZoneData, ZoneNode } from "../../src/dns/zones.ts";
import {
  auditZones,
  BROKEN_DOMAIN,
  BROKEN_IP,
  CLEAN_DOMAIN,
  CLEAN_IPS,
  TEST_RSA_KEYS,
} from "../../testkit/dns-zones.ts";
import type { DnsblZoneOptions } from "../../testkit/dns-zones-blocklists.ts";

const lists = await loadBlocklists();

/** One audit run over the test zones with some names replaced (null removes a name). */
interface Scenario {
  name: string;
  /** The finding this scenario must raise… */
  raises?: string;
  /** …or must not raise. */
  notRaises?: string;
  evidence?: RegExp;
  zones?: Record<string, ZoneNode | null>;
  blocklists?: DnsblZoneOptions;
  domain?: string;
  ips?: string[];
  selectors?: string[];
  mailFrom?: string;
  helo?: string;
  lists?: (data: BlocklistData) => BlocklistData;
  fetchPolicy?: PolicyFetcher;
}

const spf = (record: string) => ({ "clean.test": { ...base()["clean.test"], TXT: [record] } });
const dmarc = (record: string) => ({ "_dmarc.clean.test": { TXT: [record] } });
const key = (record: string) => ({ "s1._domainkey.clean.test": { TXT: [record] } });
const includes = (n: number) =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`i${i}.clean.test`, { TXT: ["v=spf1 -all"] }]));
const includeList = (n: number) => Array.from({ length: n }, (_, i) => `include:i${i}.clean.test`).join(" ");
const policyText = "version: STSv1\nmode: enforce\nmx: mx1.clean.test\nmax_age: 86400\n";

function base(blocklists: DnsblZoneOptions = {}): ZoneData {
  return auditZones(lists, blocklists);
}

const SCENARIOS: Scenario[] = [
  // SPF
  { name: "no SPF record", raises: "SPF_MISSING", zones: spf("not spf") },
  { name: "two SPF records", raises: "SPF_MULTIPLE_RECORDS", domain: BROKEN_DOMAIN },
  {
    name: "bad ip4 and unknown mechanism",
    raises: "SPF_SYNTAX_ERROR",
    evidence: /ip4:300\.1\.1\.1.*foo:bar/,
    zones: spf("v=spf1 ip4:300.1.1.1 foo:bar -all"),
  },
  {
    name: "11 lookups",
    raises: "SPF_TOO_MANY_LOOKUPS",
    evidence: /^11 /,
    zones: { ...spf(`v=spf1 ${includeList(11)} -all`), ...includes(11) },
  },
  {
    name: "10 lookups is within the limit",
    notRaises: "SPF_TOO_MANY_LOOKUPS",
    zones: { ...spf(`v=spf1 ${includeList(10)} -all`), ...includes(10) },
  },
  {
    name: "3 void lookups",
    raises: "SPF_TOO_MANY_VOID_LOOKUPS",
    evidence: /^3 void/,
    zones: spf("v=spf1 a:g1.clean.test a:g2.clean.test a:g3.clean.test -all"),
  },
  {
    name: "2 void lookups is within the limit",
    notRaises: "SPF_TOO_MANY_VOID_LOOKUPS",
    zones: spf("v=spf1 a:g1.clean.test a:g2.clean.test -all"),
  },
  {
    name: "include of a name with other TXT only is not void",
    notRaises: "SPF_TOO_MANY_VOID_LOOKUPS",
    zones: {
      ...spf("v=spf1 a:g1.clean.test a:g2.clean.test include:txt.clean.test -all"),
      "txt.clean.test": { TXT: ["hello"] },
    },
  },
  {
    name: "include of a missing name is void",
    raises: "SPF_TOO_MANY_VOID_LOOKUPS",
    evidence: /^3 void.*gone\.clean\.test/,
    zones: spf("v=spf1 a:g1.clean.test a:g2.clean.test include:gone.clean.test -all"),
  },
  {
    name: "redirect next to all is ignored (not counted)",
    notRaises: "SPF_TOO_MANY_LOOKUPS",
    zones: { ...spf(`v=spf1 ${includeList(10)} redirect=_spf.esp.test -all`), ...includes(10) },
  },
  {
    name: "include loop",
    raises: "SPF_INCLUDE_LOOP",
    evidence: /clean\.test → loop\.clean\.test → clean\.test/,
    zones: {
      ...spf("v=spf1 include:loop.clean.test -all"),
      "loop.clean.test": { TXT: ["v=spf1 include:clean.test -all"] },
    },
  },
  {
    name: "include without SPF",
    raises: "SPF_INCLUDE_MISSING",
    evidence: /nospf\.clean\.test/,
    zones: spf("v=spf1 include:nospf.clean.test -all"),
  },
  { name: "+all", raises: "SPF_PASS_ALL", zones: spf("v=spf1 +all") },
  { name: "?all", raises: "SPF_NEUTRAL_ALL", zones: spf("v=spf1 ip4:192.0.2.0/28 ?all") },
  { name: "~all", raises: "SPF_SOFTFAIL_ALL", zones: spf("v=spf1 ip4:192.0.2.0/28 ~all") },
  { name: "no all", raises: "SPF_NO_ALL", zones: spf("v=spf1 ip4:192.0.2.0/28") },
  { name: "redirect instead of all", notRaises: "SPF_NO_ALL", zones: spf("v=spf1 redirect=_spf.esp.test") },
  { name: "ptr", raises: "SPF_PTR_MECHANISM", zones: spf("v=spf1 ptr -all") },
  {
    name: "unlisted IP",
    raises: "SPF_IP_NOT_AUTHORIZED",
    evidence: /203\.0\.113\.50: spf=fail .*matched -all/,
    ips: ["203.0.113.50"],
  },
  {
    name: "envelope that fails",
    raises: "SPF_RESULT_NOT_PASS",
    evidence: /MAIL FROM bounce@other\.test: spf=fail/,
    mailFrom: "bounce@other.test",
    helo: "mail1.clean.test",
    zones: { "other.test": { TXT: ["v=spf1 -all"] } },
  },
  {
    name: "envelope with a macro that passes",
    notRaises: "SPF_RESULT_NOT_PASS",
    mailFrom: "bounce@macro.test",
    helo: "mail1.clean.test",
    zones: {
      "macro.test": { TXT: ["v=spf1 exists:%{i}.ok.macro.test -all"] },
      "192.0.2.1.ok.macro.test": { A: ["127.0.0.2"] },
    },
    ips: ["192.0.2.1"],
  },
  {
    name: "SERVFAIL on the SPF name",
    raises: "SPF_LOOKUP_FAILED",
    evidence: /servfail/,
    zones: { "clean.test": { fault: "servfail" } },
  },
  {
    name: "SERVFAIL is not a missing record",
    notRaises: "SPF_MISSING",
    zones: { "clean.test": { fault: "servfail" } },
  },
  // DMARC
  { name: "no DMARC", raises: "DMARC_MISSING", zones: { "_dmarc.clean.test": null } },
  {
    name: "DMARC record with v= not first",
    raises: "DMARC_MISSING",
    evidence: /v=DMARC1 must come first: "p=reject; v=DMARC1"/,
    zones: dmarc("p=reject; v=DMARC1"),
  },
  {
    name: "two DMARC records",
    raises: "DMARC_MULTIPLE_RECORDS",
    zones: { "_dmarc.clean.test": { TXT: ["v=DMARC1; p=none", "v=DMARC1; p=reject"] } },
  },
  {
    name: "invalid p",
    raises: "DMARC_INVALID_POLICY",
    evidence: /p=block/,
    zones: dmarc("v=DMARC1; p=block; rua=mailto:d@clean.test"),
  },
  { name: "p=none", raises: "DMARC_POLICY_NONE", domain: BROKEN_DOMAIN },
  { name: "no rua", raises: "DMARC_NO_RUA", domain: BROKEN_DOMAIN },
  {
    name: "pct=50",
    raises: "DMARC_PARTIAL_ENFORCEMENT",
    evidence: /pct=50/,
    zones: dmarc("v=DMARC1; p=reject; pct=50; rua=mailto:d@clean.test"),
  },
  {
    name: "t=y",
    raises: "DMARC_PARTIAL_ENFORCEMENT",
    evidence: /t=y/,
    zones: dmarc("v=DMARC1; p=quarantine; t=y; rua=mailto:d@clean.test"),
  },
  {
    name: "sp weaker than p",
    raises: "DMARC_SUBDOMAIN_POLICY_WEAKER",
    evidence: /sp=none/,
    zones: dmarc("v=DMARC1; p=reject; sp=none; rua=mailto:d@clean.test"),
  },
  {
    name: "np weaker than p",
    raises: "DMARC_SUBDOMAIN_POLICY_WEAKER",
    evidence: /np=quarantine/,
    zones: dmarc("v=DMARC1; p=reject; np=quarantine; rua=mailto:d@clean.test"),
  },
  {
    name: "external rua without authorization",
    raises: "DMARC_EXTERNAL_REPORTS_UNAUTHORIZED",
    evidence: /clean\.test\._report\._dmarc\.reports\.example/,
    zones: dmarc("v=DMARC1; p=reject; rua=mailto:r@reports.example"),
  },
  {
    name: "external rua with authorization",
    notRaises: "DMARC_EXTERNAL_REPORTS_UNAUTHORIZED",
    zones: {
      ...dmarc("v=DMARC1; p=reject; rua=mailto:r@reports.example"),
      "clean.test._report._dmarc.reports.example": { TXT: ["v=DMARC1"] },
    },
  },
  { name: "unknown tag", raises: "DMARC_UNKNOWN_TAG", evidence: /foo=bar/, domain: BROKEN_DOMAIN },
  {
    name: "invalid adkim",
    raises: "DMARC_UNKNOWN_TAG",
    evidence: /adkim=x/,
    zones: dmarc("v=DMARC1; p=reject; adkim=x; rua=mailto:d@clean.test"),
  },
  {
    name: "rua without a URI scheme",
    raises: "DMARC_UNKNOWN_TAG",
    evidence: /rua=dmarc@clean\.test/,
    zones: dmarc("v=DMARC1; p=reject; rua=dmarc@clean.test"),
  },
  {
    name: "tree walk vs PSL",
    raises: "DMARC_ORG_DOMAIN_DIFFERS",
    evidence: /tree walk \(RFC 9989\): co\.uk; Public Suffix List \(RFC 7489\): shop\.co\.uk/,
    domain: "mail.shop.co.uk",
    zones: {
      "_dmarc.co.uk": { TXT: ["v=DMARC1; p=reject; rua=mailto:x@co.uk"] },
      "mail.shop.co.uk": { A: ["192.0.2.80"] },
    },
  },
  {
    name: "inherited from the parent",
    raises: "DMARC_INHERITED",
    evidence: /_dmarc\.clean\.test/,
    domain: "news.clean.test",
    zones: { "news.clean.test": { A: ["192.0.2.81"] } },
  },
  { name: "own record is not inherited", notRaises: "DMARC_INHERITED" },
  {
    name: "DMARC SERVFAIL",
    raises: "DMARC_LOOKUP_FAILED",
    zones: { "_dmarc.clean.test": { fault: "servfail" } },
  },
  // DKIM
  {
    name: "no key at common selectors",
    raises: "DKIM_NO_KEY_FOUND",
    zones: { "s1._domainkey.clean.test": null },
  },
  {
    name: "given selector missing",
    raises: "DKIM_SELECTOR_MISSING",
    evidence: /nope\._domainkey\.clean\.test/,
    selectors: ["nope"],
  },
  {
    name: "512-bit key",
    raises: "DKIM_KEY_TOO_SHORT",
    evidence: /512 bits/,
    zones: key(`v=DKIM1; p=${TEST_RSA_KEYS[512]}`),
  },
  {
    name: "1024-bit key",
    raises: "DKIM_KEY_WEAK",
    evidence: /1024 bits/,
    zones: key(`v=DKIM1; p=${TEST_RSA_KEYS[1024]}`),
  },
  { name: "2048-bit key is fine", notRaises: "DKIM_KEY_WEAK" },
  { name: "t=y", raises: "DKIM_TESTING_MODE", zones: key(`v=DKIM1; t=y; p=${TEST_RSA_KEYS[2048]}`) },
  { name: "revoked", raises: "DKIM_KEY_REVOKED", zones: key("v=DKIM1; k=rsa; p=") },
  { name: "garbage key", raises: "DKIM_KEY_INVALID", zones: key("v=DKIM1; k=rsa; p=AAAAB3NzaC1yc2E=") },
  {
    name: "given selector SERVFAIL",
    raises: "DKIM_LOOKUP_FAILED",
    selectors: ["sick"],
    zones: { "sick._domainkey.clean.test": { fault: "servfail" } },
  },
  // MX
  {
    name: "no MX",
    raises: "MX_MISSING",
    zones: { "clean.test": { ...base()["clean.test"], MX: undefined } },
  },
  { name: "null MX", raises: "MX_NULL", domain: BROKEN_DOMAIN },
  {
    name: "MX host without address",
    raises: "MX_TARGET_UNRESOLVABLE",
    evidence: /mx1\.clean\.test/,
    zones: { "mx1.clean.test": null },
  },
  { name: "MX SERVFAIL", raises: "MX_LOOKUP_FAILED", zones: { "clean.test": { fault: "servfail" } } },
  // PTR
  {
    name: "IP without PTR",
    raises: "PTR_MISSING",
    evidence: /203\.0\.113\.9/,
    domain: BROKEN_DOMAIN,
    ips: [BROKEN_IP],
  },
  {
    name: "PTR not forward-confirmed",
    raises: "PTR_NOT_FORWARD_CONFIRMED",
    zones: { "mail1.clean.test": { A: ["192.0.2.99"] } },
  },
  { name: "FCrDNS ok", notRaises: "PTR_NOT_FORWARD_CONFIRMED" },
  {
    name: "PTR under another domain",
    raises: "PTR_UNRELATED_TO_DOMAIN",
    evidence: /o1\.esp\.test/,
    zones: { "1.2.0.192.in-addr.arpa": { PTR: ["o1.esp.test"] }, "o1.esp.test": { A: ["192.0.2.1"] } },
  },
  {
    name: "PTR SERVFAIL",
    raises: "PTR_LOOKUP_FAILED",
    zones: { "1.2.0.192.in-addr.arpa": { fault: "servfail" } },
  },
  {
    name: "PTR SERVFAIL is not missing",
    notRaises: "PTR_MISSING",
    zones: { "1.2.0.192.in-addr.arpa": { fault: "servfail" } },
  },
  // MTA-STS, TLS-RPT, BIMI
  { name: "no MTA-STS", raises: "MTA_STS_MISSING", zones: { "_mta-sts.clean.test": null } },
  {
    name: "bad MTA-STS id",
    raises: "MTA_STS_INVALID",
    evidence: /id must be/,
    zones: { "_mta-sts.clean.test": { TXT: ["v=STSv1; id=not valid!"] } },
  },
  {
    name: "MTA-STS policy does not cover the MX",
    raises: "MTA_STS_INVALID",
    evidence: /mx1\.clean\.test not covered/,
    fetchPolicy: async () => ({ ok: true, text: policyText.replace("mx1.clean.test", "other.test") }),
  },
  {
    name: "MTA-STS policy fetch fails",
    raises: "MTA_STS_INVALID",
    evidence: /HTTP 404/,
    fetchPolicy: async () => ({ ok: false, error: "HTTP 404" }),
  },
  {
    name: "MTA-STS policy fine",
    notRaises: "MTA_STS_INVALID",
    fetchPolicy: async () => ({ ok: true, text: policyText }),
  },
  { name: "no TLS-RPT", raises: "TLS_RPT_MISSING", zones: { "_smtp._tls.clean.test": null } },
  {
    name: "TLS-RPT with http rua",
    raises: "TLS_RPT_INVALID",
    evidence: /http:\/\/x/,
    zones: { "_smtp._tls.clean.test": { TXT: ["v=TLSRPTv1; rua=http://x"] } },
  },
  { name: "no BIMI", raises: "BIMI_MISSING", zones: { "default._bimi.clean.test": null } },
  {
    name: "BIMI with http logo",
    raises: "BIMI_INVALID",
    zones: { "default._bimi.clean.test": { TXT: ["v=BIMI1; l=http://clean.test/l.svg"] } },
  },
  // Blocklists
  {
    name: "listed IP",
    raises: "BLOCKLIST_IP_LISTED",
    evidence: /SBL/,
    domain: BROKEN_DOMAIN,
    ips: [BROKEN_IP],
  },
  {
    name: "listed domain",
    raises: "BLOCKLIST_DOMAIN_LISTED",
    evidence: /DBL: spam domain/,
    domain: BROKEN_DOMAIN,
  },
  { name: "clean IP and domain", notRaises: "BLOCKLIST_IP_LISTED" },
  {
    name: "bad Mailspike reputation",
    raises: "BLOCKLIST_POOR_REPUTATION",
    evidence: /worst/,
    blocklists: { listings: [{ list: "mailspike", target: "192.0.2.1", answer: "127.0.0.10" }] },
  },
  {
    name: "Spamhaus 127.255.255.254 for the target",
    raises: "BLOCKLIST_LOOKUP_REFUSED",
    evidence: /public or open resolver/,
    blocklists: { listings: [{ list: "spamhaus-zen", target: "192.0.2.1", answer: "127.255.255.254" }] },
  },
  {
    name: "Spamhaus 127.255.255.254 is never a listing",
    notRaises: "BLOCKLIST_IP_LISTED",
    blocklists: { listings: [{ list: "spamhaus-zen", target: "192.0.2.1", answer: "127.255.255.254" }] },
  },
  {
    name: "dead test point",
    raises: "BLOCKLIST_UNAVAILABLE",
    evidence: /SpamCop/,
    blocklists: { deadProbe: ["spamcop"] },
  },
  {
    name: "configured SORBS",
    raises: "BLOCKLIST_RETIRED",
    evidence: /SORBS.*2024-06-05/,
    lists: (d) => ({
      ...d,
      lists: [...d.lists, { ...d.lists[0], id: "sorbs", name: "SORBS", zone: "dnsbl.sorbs.net" }],
    }),
  },
  { name: "Proofpoint pointer", raises: "PROOFPOINT_NO_DNS_LIST", evidence: /ipcheck\.proofpoint\.com/ },
  // The resolver itself
  {
    name: "resolver silent",
    raises: "DNS_RESOLVER_UNREACHABLE",
    zones: { "clean.test": { fault: "timeout" } },
  },
  {
    name: "resolver denies everything",
    raises: "DNS_ANSWERS_UNTRUSTED",
    domain: "ghost.test",
    blocklists: { deadProbe: lists.lists.map((l) => l.id) },
  },
  {
    name: "domain does not exist",
    raises: "DOMAIN_NOT_FOUND",
    evidence: /ghost\.test/,
    domain: "ghost.test",
  },
  {
    name: "MTA-STS TXT timeout",
    raises: "MTA_STS_LOOKUP_FAILED",
    zones: { "_mta-sts.clean.test": { fault: "timeout" } },
  },
  {
    name: "TLS-RPT TXT timeout",
    raises: "TLS_RPT_LOOKUP_FAILED",
    zones: { "_smtp._tls.clean.test": { fault: "timeout" } },
  },
  {
    name: "BIMI TXT timeout",
    raises: "BIMI_LOOKUP_FAILED",
    zones: { "default._bimi.clean.test": { fault: "timeout" } },
  },
];

async function run(scenario: Scenario) {
  const zones: ZoneData = base(scenario.blocklists);
  for (const [name, node] of Object.entries(scenario.zones ?? {})) {
    if (node === null) delete zones[name];
    else zones[name] = node;
  }
  const resolver = createResolver({ mode: "zones", zones });
  const domain = scenario.domain ?? CLEAN_DOMAIN;
  return runAudit(
    auditContext(resolver, domain, scenario.lists ? scenario.lists(lists) : lists, {
      ips: scenario.ips ?? (domain === BROKEN_DOMAIN ? [BROKEN_IP] : CLEAN_IPS),
      selectors: scenario.selectors ?? [],
      mailFrom: scenario.mailFrom ?? null,
      helo: scenario.helo ?? null,
      fetchPolicy: scenario.fetchPolicy ?? null,
    }),
  );
}

describe("every audit finding, raised by its scenario", () => {
  for (const scenario of SCENARIOS) {
    const verb = scenario.raises ? `raises ${scenario.raises}` : `does not raise ${scenario.notRaises}`;
    it(`${scenario.name}: ${verb}`, async () => {
      const report = await run(scenario);
      if (scenario.raises) {
        const found = report.findings.filter((f) => f.id === scenario.raises);
        assert.ok(
          found.length > 0,
          `expected ${scenario.raises}; got ${report.findings.map((f) => f.id).join(", ")}`,
        );
        const kind = AUDIT_CATALOG.find((k) => k.id === scenario.raises)!;
        assert.ok(found.every((f) => f.section === kind.section && f.title === kind.title));
        if (scenario.evidence)
          assert.ok(
            found.some((f) => scenario.evidence!.test(f.evidence)),
            found.map((f) => f.evidence).join(" | "),
          );
      } else {
        assert.ok(
          !report.findings.some((f) => f.id === scenario.notRaises),
          `unexpected ${scenario.notRaises}`,
        );
      }
    });
  }

  it("every catalog id has a scenario that raises it", () => {
    const covered = new Set(SCENARIOS.map((s) => s.raises));
    assert.deepEqual(
      AUDIT_CATALOG.map((k) => k.id).filter((id) => !covered.has(id)),
      [],
    );
  });

  it("the clean domain raises nothing but the Proofpoint pointer", async () => {
    const report = await run({ name: "clean" });
    assert.deepEqual(
      report.findings.map((f) => f.id),
      ["PROOFPOINT_NO_DNS_LIST"],
    );
  });

  it("handles an IPv6 sender: ip6: authorization, ip6.arpa PTR and forward confirmation", async () => {
    const ip = "2001:db8::25";
    const ptrName = `5.2.0.0.${"0.".repeat(20)}8.b.d.0.1.0.0.2.ip6.arpa`;
    const report = await run({
      name: "ipv6",
      ips: [ip],
      zones: {
        ...spf("v=spf1 ip6:2001:db8::/32 -all"),
        [ptrName]: { PTR: ["mail6.clean.test"] },
        "mail6.clean.test": { AAAA: ["2001:0db8:0000:0000:0000:0000:0000:0025"] },
      },
    });
    assert.deepEqual(report.spf.ips[0], {
      ip,
      result: "pass",
      matched: ["ip6:2001:db8::/32"],
      unevaluated: [],
    });
    assert.deepEqual(report.ptr[0], {
      ip,
      names: ["mail6.clean.test"],
      forwardConfirmed: true,
      relatedToDomain: true,
    });
  });

  it("names the mechanism that authorizes each IP, through includes", async () => {
    const report = await run({ name: "clean", ips: ["192.0.2.1", "198.51.100.7"] });
    assert.deepEqual(
      report.spf.ips.map((ip) => [ip.ip, ip.result, ip.matched.join(" → ")]),
      [
        ["192.0.2.1", "pass", "ip4:192.0.2.0/28"],
        ["198.51.100.7", "pass", "include:_spf.esp.test → ip4:198.51.100.0/24"],
      ],
    );
  });
});

describe("docs/AUDIT.md", () => {
  it("lists every finding id with its severity", async () => {
    const { readFile } = await import("node:fs/promises");
    const doc = await readFile(new URL("../../docs/AUDIT.md", import.meta.url), "utf8");
    for (const kind of AUDIT_CATALOG)
      assert.ok(doc.includes(`| \`${kind.id}\` | ${kind.severity} |`), kind.id);
  });
});
