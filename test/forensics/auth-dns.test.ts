import assert from "node:assert/strict";
import dgram from "node:dgram";
import { after, before, describe, it } from "node:test";
import { loadBlocklists } from "../../src/audit/blocklist-data.ts";
import { createResolver, toMailauthResolver, type ZoneData } from "../../src/dns/index.ts";
import { type InspectOptions, inspectMessage } from "../../src/forensics/inspect.ts";
import { MAX_LINK_DOMAINS } from "../../src/forensics/links.ts";
import { startDnsServer, type TestDnsServer } from "../../testkit/dns-server.ts";
import { dnsblZones } from "../../testkit/dns-zones-blocklists.ts";
import { buildMail, dkimKey, signMail } from "../../testkit/forensics-mail.ts";
import { bindLoopback } from "../../testkit/loopback.ts";

/**
 * inspect against a real DNS server on 127.0.0.1: messages DKIM-signed here with keys published in
 * the served zones, SPF/DMARC/PTR records, link domains on (test copies of) DBL, SURBL and URIBL.
 */
const SENDER_IP = "192.0.2.7";
const OTHER_IP = "198.51.100.99";
const key = dkimKey();
const weakKey = dkimKey(512);
const blocklists = await loadBlocklists();
const UNSUB: [string, string][] = [
  ["List-Unsubscribe", "<https://example.test/u/1>, <mailto:unsub@example.test>"],
  ["List-Unsubscribe-Post", "List-Unsubscribe=One-Click"],
];
const WITH_UNSUB = [
  "from",
  "to",
  "subject",
  "date",
  "message-id",
  "list-unsubscribe",
  "list-unsubscribe-post",
];

const authZones: ZoneData = {
  "example.test": { TXT: [`v=spf1 ip4:${SENDER_IP} -all`] },
  "_dmarc.example.test": { TXT: ["v=DMARC1; p=reject; rua=mailto:d@example.test"] },
  "s1._domainkey.example.test": { TXT: [key.record] },
  "7.2.0.192.in-addr.arpa": { PTR: ["mail.example.test"] },
  "mail.example.test": { A: [SENDER_IP] },
  "nodmarc.test": { TXT: [`v=spf1 ip4:${SENDER_IP} -all`] },
  "s1._domainkey.nodmarc.test": { TXT: [key.record] },
  "broken.test": { TXT: [`v=spf1 ip4:${SENDER_IP} -all`] },
  "_dmarc.broken.test": { fault: "servfail" },
  "s1._domainkey.broken.test": { TXT: [key.record] },
  "softfail.test": { TXT: ["v=spf1 ip4:203.0.113.1 ~all"] },
  "nospf.test": { A: ["203.0.113.2"] },
  "permerror.test": { TXT: ["v=spf1 ip4:192.0.2.0/99 -all"] },
  "weak._domainkey.example.test": { TXT: [weakKey.record] },
  "arc._domainkey.forwarder.test": { TXT: [key.record] },
};

let server: TestDnsServer;
/** A loopback answer can take seconds on a loaded CI host: only a test that wants a timeout asks for a short one. */
const ANSWER_WAIT_MS = 10_000;
const TIMEOUT_WAIT_MS = 300;
const options = (extra: Partial<InspectOptions> = {}, timeoutMs = ANSWER_WAIT_MS): InspectOptions => {
  const resolver = createResolver(
    { mode: "udp", host: server.host, port: server.port },
    { timeoutMs, retries: 0 },
  );
  return { dns: { resolver, mailauth: toMailauthResolver(resolver), blocklists }, ip: SENDER_IP, ...extra };
};
const ids = (report: { findings: { id: string }[] }) => report.findings.map((f) => f.id);
/** A message From a@DOMAIN, signed by DOMAIN (selector s1), inspected against the loopback zones. */
const inspectSignedFrom = async (domain: string) =>
  inspectMessage(
    Buffer.from(await signMail(buildMail({ headers: [["From", `a@${domain}`]] }), domain, "s1", key)),
    options(),
  );

before(async () => {
  server = await startDnsServer({
    ...authZones,
    ...dnsblZones(blocklists, {
      listings: [{ list: "spamhaus-dbl", target: "listed-shop.com", answer: "127.0.1.2" }],
      refusing: [
        { list: "uribl", answer: "127.0.0.1", targets: ["listed-shop.com", "example.test", "fine-shop.com"] },
      ],
      faulty: [
        { list: "surbl", fault: "servfail", targets: ["listed-shop.com", "example.test", "fine-shop.com"] },
      ],
    }),
  });
});
after(() => server.close());

describe("authentication through the shared resolver", () => {
  it("a signed, aligned message with signed one-click headers passes everything", async () => {
    const raw = await signMail(buildMail({ headers: UNSUB }), "example.test", "s1", key, WITH_UNSUB);
    const report = await inspectMessage(
      Buffer.from(raw),
      options({ mailFrom: "bounce@example.test", helo: "mail.example.test" }),
    );
    assert.equal(report.auth.verified, true);
    assert.equal(report.auth.dkim[0].result, "pass");
    assert.equal(report.auth.dkim[0].coversListUnsubscribe, true);
    assert.equal(report.auth.dkim[0].keyBits, 2048);
    assert.equal(report.auth.spf?.result, "pass");
    assert.equal(report.auth.dmarc?.result, "pass");
    assert.equal(report.auth.dmarc?.dkimAligned, true);
    assert.equal(report.requirements.ptr?.status, "confirmed");
    assert.deepEqual(
      report.findings.filter((f) => f.area === "auth").map((f) => f.id),
      [],
    );
    const row = (id: string) => report.requirements.rows.find((r) => r.id === id)?.status;
    for (const id of [
      "gmail-spf-and-dkim",
      "gmail-dmarc",
      "gmail-aligned",
      "gmail-one-click",
      "gmail-unsub-signed",
      "apple-ptr",
      "yahoo-dmarc-pass",
    ]) {
      assert.equal(row(id), "pass", id);
    }
    assert.equal(report.scores.auth.score, 100);
  });

  it("DKIM h= without List-Unsubscribe-Post fails RFC 8058 coverage", async () => {
    const raw = await signMail(buildMail({ headers: UNSUB }), "example.test", "s1", key, [
      "from",
      "to",
      "subject",
      "date",
      "list-unsubscribe",
    ]);
    const report = await inspectMessage(Buffer.from(raw), options());
    assert.equal(report.auth.dkim[0].result, "pass");
    assert.ok(ids(report).includes("UNSUBSCRIBE_NOT_SIGNED"));
    assert.equal(report.requirements.rows.find((r) => r.id === "gmail-unsub-signed")?.status, "fail");
  });

  it("a body changed after signing and an unauthorized IP fail DKIM, SPF and DMARC", async () => {
    const raw = (await signMail(buildMail({ text: "Original body." }), "example.test", "s1", key)).replace(
      "Original",
      "Altered",
    );
    const report = await inspectMessage(Buffer.from(raw), options({ ip: OTHER_IP }));
    assert.notEqual(report.auth.dkim[0].result, "pass");
    assert.match(report.auth.dkim[0].comment ?? "", /body hash/);
    assert.equal(report.auth.spf?.result, "fail");
    assert.equal(report.auth.dmarc?.result, "fail");
    for (const id of ["DKIM_FAIL", "SPF_FAIL", "DMARC_FAIL"]) assert.ok(ids(report).includes(id), id);
    assert.equal(report.findings[0].severity, "critical");
    assert.equal(report.requirements.ptr?.status, "missing");
  });

  it("no DMARC record is DMARC_MISSING; SERVFAIL on _dmarc is an error, not a missing record", async () => {
    const none = await inspectSignedFrom("nodmarc.test");
    assert.ok(ids(none).includes("DMARC_MISSING"));
    assert.equal(none.requirements.rows.find((r) => r.id === "apple-dmarc")?.status, "fail");
    assert.equal(none.requirements.rows.find((r) => r.id === "gmail-ptr")?.status, "pass");
    assert.equal(
      none.requirements.rows.find((r) => r.id === "apple-ptr")?.status,
      "fail",
      "PTR not in the sender's domain",
    );
    const broken = await inspectSignedFrom("broken.test");
    assert.ok(ids(broken).includes("DMARC_ERROR"), ids(broken).join(","));
    assert.ok(!ids(broken).includes("DMARC_MISSING"));
  });

  const spfCases: [string, string][] = [
    ["softfail.test", "SPF_SOFTFAIL"],
    ["nospf.test", "SPF_NONE"],
    ["permerror.test", "SPF_ERROR"],
  ];
  for (const [domain, id] of spfCases) {
    it(`MAIL FROM ${domain} gives ${id}`, async () => {
      const raw = await signMail(buildMail(), "example.test", "s1", key);
      const report = await inspectMessage(Buffer.from(raw), options({ mailFrom: `bounce@${domain}` }));
      assert.ok(ids(report).includes(id), ids(report).join(","));
      assert.equal(report.auth.dmarc?.result, "pass", "DKIM still carries DMARC");
    });
  }

  it("a 512-bit DKIM key is weak and does not pass", async () => {
    const raw = await signMail(buildMail(), "example.test", "weak", weakKey);
    const report = await inspectMessage(Buffer.from(raw), options());
    assert.notEqual(report.auth.dkim[0].result, "pass");
    assert.ok(
      ids(report).includes("DKIM_WEAK_KEY") || /bit/.test(report.auth.dkim[0].comment ?? ""),
      JSON.stringify(report.auth.dkim[0]),
    );
    assert.ok(ids(report).includes("DKIM_FAIL"));
  });

  it("offline: no signature is DKIM_MISSING, a third-party d= is DKIM_NOT_ALIGNED", async () => {
    const unsigned = await inspectMessage(Buffer.from(buildMail()));
    assert.ok(ids(unsigned).includes("DKIM_MISSING"));
    const thirdParty = await inspectMessage(
      Buffer.from(await signMail(buildMail(), "esp-mailer.test", "s1", key)),
    );
    assert.ok(ids(thirdParty).includes("DKIM_NOT_ALIGNED"));
    assert.ok(!ids(thirdParty).includes("DKIM_MISSING"));
    assert.equal(thirdParty.auth.dkim[0].domain, "esp-mailer.test");
    assert.equal(thirdParty.auth.dkim[0].aligned, false);
  });

  it("a forwarder's ARC seal validates; a body changed after sealing is ARC_FAIL", async () => {
    const { authenticate } = await import("mailauth");
    const dns = options().dns!;
    const raw = await signMail(buildMail({ text: "Original body." }), "example.test", "s1", key);
    const sealed = await authenticate(raw, {
      resolver: dns.mailauth as never,
      ip: SENDER_IP,
      sender: "bounce@example.test",
      seal: { signingDomain: "forwarder.test", selector: "arc", privateKey: key.privateKey },
    });
    const forwarded = sealed.headers + raw;
    const intact = await inspectMessage(Buffer.from(forwarded), options());
    assert.equal(intact.auth.arc?.result, "pass");
    assert.equal(intact.headers.arc[0]?.sealDomain, "forwarder.test");
    assert.equal(intact.requirements.rows.find((r) => r.id === "apple-arc")?.status, "pass");
    const broken = await inspectMessage(Buffer.from(forwarded.replace("Original", "Altered")), options());
    assert.equal(broken.auth.arc?.result, "fail");
    assert.ok(ids(broken).includes("ARC_FAIL"));
    assert.equal(broken.requirements.rows.find((r) => r.id === "apple-arc")?.status, "fail");
  });

  it("a resolver that throws something unexpected never makes inspect throw", async () => {
    const dns = options().dns!;
    const raw = await signMail(buildMail(), "example.test", "s1", key);
    const broken = { ...dns, mailauth: async () => Promise.reject(new TypeError("resolver exploded")) };
    const report = await inspectMessage(Buffer.from(raw), { dns: broken, ip: SENDER_IP });
    assert.equal(typeof report.summary, "string");
    assert.notEqual(report.auth.dkim[0].result, "pass");
  });

  it("without --ip, a sent copy skips SPF and says so", async () => {
    const raw = await signMail(buildMail(), "example.test", "s1", key);
    const report = await inspectMessage(Buffer.from(raw), options({ ip: undefined }));
    assert.equal(report.auth.spf, null);
    assert.ok(report.skipped.some((s) => /^SPF \(no client IP/.test(s)));
    assert.equal(report.auth.dmarc?.result, "pass");
  });
});

describe("link reputation through the shared blocklist checker", () => {
  const html = `<p>Shop our partners.</p><a href="https://www.listed-shop.com/x">A</a> <a href="https://fine-shop.com/">B</a>`;

  it("a DBL-listed link domain is listed; URIBL's 127.0.0.1 is refused; SURBL SERVFAIL is a failed lookup", async () => {
    const report = await inspectMessage(Buffer.from(buildMail({ text: "x", html })), options());
    assert.equal(report.links.checked, true);
    const listed = report.links.domains.find((d) => d.domain === "listed-shop.com");
    assert.equal(listed?.verdicts.find((v) => v.list === "Spamhaus DBL")?.status, "listed");
    const fine = report.links.domains.find((d) => d.domain === "fine-shop.com");
    assert.equal(fine?.verdicts.find((v) => v.list === "Spamhaus DBL")?.status, "clear");
    assert.notEqual(fine?.verdicts.find((v) => v.list === "URIBL multi")?.status, "listed");
    const listedFinding = report.findings.find((f) => f.id === "LINK_DOMAIN_LISTED");
    assert.match(listedFinding?.evidence ?? "", /listed-shop\.com on Spamhaus DBL/);
    assert.doesNotMatch(listedFinding?.evidence ?? "", /fine-shop|URIBL|SURBL/);
    assert.match(report.findings.find((f) => f.id === "LINK_LOOKUP_REFUSED")?.evidence ?? "", /URIBL/);
    assert.match(report.findings.find((f) => f.id === "LINK_LOOKUP_FAILED")?.evidence ?? "", /SURBL/);
    assert.equal(report.scores.links.score, 60);
  });

  it("looks up at most MAX_LINK_DOMAINS link domains and says which it skipped", async () => {
    const many = Array.from(
      { length: MAX_LINK_DOMAINS + 10 },
      (_, i) => `<a href="https://shop${i}-example.com/">${i}</a>`,
    ).join(" ");
    const report = await inspectMessage(Buffer.from(buildMail({ text: "x", html: many })), options());
    assert.equal(report.links.domains.length, MAX_LINK_DOMAINS);
    assert.equal(report.links.notChecked?.length, 10);
    assert.ok(report.skipped.some((s) => /10 link domains over the limit/.test(s)));
  });

  it("Spamhaus 127.255.255.254 (public resolver) is 'lookup refused', never listed", async () => {
    server.setZones({
      ...authZones,
      ...dnsblZones(blocklists, {
        refusing: [
          {
            list: "spamhaus-dbl",
            answer: "127.255.255.254",
            targets: ["listed-shop.com", "fine-shop.com", "example.test"],
          },
        ],
      }),
    });
    try {
      const report = await inspectMessage(Buffer.from(buildMail({ text: "x", html })), options());
      assert.ok(!ids(report).includes("LINK_DOMAIN_LISTED"), ids(report).join(","));
      assert.match(
        report.findings.find((f) => f.id === "LINK_LOOKUP_REFUSED")?.evidence ?? "",
        /Spamhaus DBL.*127\.255\.255\.254/,
      );
      assert.equal(report.scores.links.score, 100);
    } finally {
      server.setZones({ ...authZones, ...dnsblZones(blocklists) });
    }
  });

  it("DBL timeouts leave links unknown, not listed, and inspect still finishes", async () => {
    const targets = ["listed-shop.com", "fine-shop.com", "example.test"];
    server.setZones({
      ...authZones,
      ...dnsblZones(blocklists, { faulty: [{ list: "spamhaus-dbl", fault: "timeout", targets }] }),
    });
    try {
      const started = performance.now();
      const report = await inspectMessage(
        Buffer.from(buildMail({ text: "x", html })),
        options({}, TIMEOUT_WAIT_MS),
      );
      assert.ok(performance.now() - started < 10_000);
      assert.ok(!ids(report).includes("LINK_DOMAIN_LISTED"));
      assert.match(
        report.findings.find((f) => f.id === "LINK_LOOKUP_FAILED")?.evidence ?? "",
        /Spamhaus DBL.*timeout/,
      );
    } finally {
      server.setZones({ ...authZones, ...dnsblZones(blocklists) });
    }
  });

  it("an unreachable resolver gives failed lookups and no listing", async () => {
    // A resolver that never answers: a socket of its own that reads nothing (not a fixed port nobody should hold).
    const silent = dgram.createSocket("udp4");
    const port = await bindLoopback(silent);
    try {
      const resolver = createResolver(
        { mode: "udp", host: "127.0.0.1", port },
        { timeoutMs: 150, retries: 0 },
      );
      const dns = { resolver, mailauth: toMailauthResolver(resolver), blocklists };
      const report = await inspectMessage(Buffer.from(buildMail({ text: "x", html })), { dns });
      assert.ok(!ids(report).includes("LINK_DOMAIN_LISTED"));
      assert.ok(ids(report).includes("LINK_LOOKUP_FAILED"));
      assert.notEqual(report.auth.dmarc?.result, "pass");
    } finally {
      silent.close();
    }
  });
});
