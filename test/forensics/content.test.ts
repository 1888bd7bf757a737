import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { inspectMessage } from "../../src/forensics/inspect.ts";
import { buildMail, type MailSpec, newsletter } from "../../testkit/forensics-mail.ts";

const inspect = (spec: MailSpec) => inspectMessage(Buffer.from(buildMail(spec)));
const words = (n: number) => Array.from({ length: n }, (_, i) => `word${i % 50}`).join(" ");
const para = `<p>${words(120)}</p>`;
const unsubscribe = '<p><a href="https://example.test/unsubscribe">Unsubscribe</a></p>';

/** A message from example.test that trips none of the content rules. */
const CLEAN: MailSpec = {
  text: `${words(120)}\nUnsubscribe: https://example.test/unsubscribe`,
  html: `<html><body>${para}<p><a href="https://www.example.test/offer">See the offer</a></p>${unsubscribe}</body></html>`,
};

/** Each content finding with a message that must trigger it. */
const CASES: { id: string; spec: MailSpec; evidence?: RegExp }[] = [
  {
    id: "MANY_LINKS",
    spec: {
      text: "x",
      html: `<p>Few words here.</p>${Array.from({ length: 8 }, (_, i) => `<a href="https://example.test/${i}">l${i}</a>`).join(" ")}`,
    },
    evidence: /8 links/,
  },
  {
    id: "MANY_LINK_DOMAINS",
    spec: {
      text: "x",
      html: `${para}${["a", "b", "c", "d", "e", "f"].map((d) => `<a href="https://${d}-shop.com/">x</a>`).join(" ")}`,
    },
    evidence: /6 domains/,
  },
  {
    id: "LINK_DOMAIN_MISMATCH",
    spec: { text: "x", html: `${para}<a href="https://other-brand.com/">Shop</a>` },
    evidence: /other-brand\.com/,
  },
  {
    id: "URL_SHORTENER",
    spec: { text: "x", html: `${para}<a href="https://bit.ly/3xYz">Offer</a>` },
    evidence: /bit\.ly/,
  },
  { id: "URL_SHORTENER", spec: { text: `${words(50)} https://tinyurl.com/abc` }, evidence: /tinyurl\.com/ },
  {
    id: "OPEN_REDIRECT",
    spec: { text: "x", html: `${para}<a href="https://www.google.com/url?q=https://evil.test/">Offer</a>` },
    evidence: /google-url/,
  },
  {
    id: "OPEN_REDIRECT",
    spec: {
      text: "x",
      html: `${para}<a href="https://go.example.test/r?target=https%3A%2F%2Fother.test%2F">Offer</a>`,
    },
    evidence: /url-in-parameter/,
  },
  {
    id: "IP_LITERAL_URL",
    spec: { text: "x", html: `${para}<a href="http://192.0.2.55/login">Log in</a>` },
    evidence: /192\.0\.2\.55/,
  },
  {
    id: "IP_LITERAL_URL",
    spec: { text: "x", html: `${para}<a href="http://3221225985/">Log in</a>` },
    evidence: /192\.0\.2\.1/,
  },
  {
    id: "ANCHOR_DOMAIN_MISMATCH",
    spec: {
      text: "x",
      html: `${para}<a href="https://login-check.test.com/">https://www.paypal.com/signin</a>`,
    },
    evidence: /paypal\.com/,
  },
  {
    id: "TRACKING_PIXEL",
    spec: { text: "x", html: `${para}<img src="https://t.example.test/o.gif" width="1" height="1" alt="">` },
  },
  {
    id: "IMAGE_HEAVY",
    spec: {
      text: "x",
      html: `<p>Big sale</p><img src="https://example.test/a.png"><img src="https://example.test/b.png">`,
    },
  },
  {
    id: "HTML_CLIPPED_BY_GMAIL",
    spec: { text: "x", html: `${para}<!-- ${"x".repeat(110 * 1024)} -->` },
    evidence: /KB/,
  },
  { id: "NO_TEXT_PART", spec: { html: `${para}${unsubscribe}` } },
  {
    id: "PROMOTIONAL_LANGUAGE",
    spec: {
      text: "Act now! Limited time offer. Buy now and get a free gift, 100% free. Click here. Order now.",
    },
    evidence: /act now/,
  },
  { id: "SUBJECT_ALL_CAPS", spec: { headers: [["Subject", "HUGE SUMMER SALE TODAY"]] } },
  { id: "SUBJECT_EXCLAMATIONS", spec: { headers: [["Subject", "Summer sale!!"]] } },
  {
    id: "HIDDEN_TEXT",
    spec: { text: "x", html: `${para}<div style="display: none">${words(60)}</div>` },
    evidence: /display:none/,
  },
  {
    id: "HIDDEN_TEXT",
    spec: { text: "x", html: `${para}<span style="font-size:0px;">${words(60)}</span>` },
  },
  {
    id: "HIDDEN_TEXT",
    spec: { text: "x", html: `${para}<DIV STYLE="VISIBILITY: HIDDEN">${words(60)}</DIV>` },
  },
  {
    id: "RISKY_ATTACHMENT",
    spec: {
      text: "See attached.",
      attachments: [{ filename: "invoice.pdf.exe", mimeType: "application/octet-stream", content: "MZ" }],
    },
    evidence: /invoice\.pdf\.exe/,
  },
  {
    id: "RISKY_ATTACHMENT",
    spec: {
      text: "See attached.",
      attachments: [{ filename: "report.docm", mimeType: "application/vnd.ms-word", content: "PK" }],
    },
  },
];

describe("content findings", () => {
  it("a clean message has no content finding and a content score of 100", async () => {
    const report = await inspect(CLEAN);
    assert.deepEqual(
      report.findings.filter((f) => f.area === "content").map((f) => f.id),
      [],
    );
    assert.equal(report.scores.content.score, 100);
    assert.equal(report.content.links, 2);
    assert.deepEqual(report.content.linkDomains, ["example.test"]);
  });

  for (const { id, spec, evidence } of CASES) {
    it(`${id}${evidence ? ` (${evidence.source})` : ""}`, async () => {
      const report = await inspect(spec);
      const hit = report.findings.find((f) => f.id === id);
      assert.ok(hit, `expected ${id}, got ${report.findings.map((f) => f.id).join(", ")}`);
      assert.equal(hit.area, "content");
      if (evidence) assert.match(hit.evidence, evidence);
      const deduction = report.scores.content.deductions.find((d) => d.id === id);
      if (hit.severity !== "info")
        assert.ok(deduction && deduction.points > 0, "every non-info finding costs points");
    });
  }

  it("a brand named inside link text is not an anchor/href mismatch; a bare host name is", async () => {
    const sentence = await inspect({
      text: "x",
      html: `${para}<a href="https://click.esp.test/c?q=1">Read the story at News.com today</a>`,
    });
    assert.equal(
      sentence.findings.some((f) => f.id === "ANCHOR_DOMAIN_MISMATCH"),
      false,
    );
    const bare = await inspect({
      text: "x",
      html: `${para}<a href="https://click.esp-mailer.com/c?q=1">www.walmart.com</a>`,
    });
    assert.match(
      bare.findings.find((f) => f.id === "ANCHOR_DOMAIN_MISMATCH")?.evidence ?? "",
      /walmart\.com/,
    );
  });

  it("a long newsletter with many product images is not image-heavy", async () => {
    const report = await inspectMessage(Buffer.from(newsletter(7)));
    assert.ok(report.content.images > 20);
    assert.equal(
      report.findings.some((f) => f.id === "IMAGE_HEAVY"),
      false,
    );
    assert.equal(report.scores.content.score, 100);
  });

  it("a short display:none preheader is not hidden-text spam", async () => {
    const report = await inspect({
      text: "x",
      html: `<div style="display:none">Your July update inside</div>${para}`,
    });
    assert.equal(
      report.findings.some((f) => f.id === "HIDDEN_TEXT"),
      false,
    );
    assert.equal(report.content.hiddenTextWords, 4);
  });

  it("a visible URL that is its own anchor's href counts once", async () => {
    const report = await inspect({
      text: "x",
      html: `${para}<a href="https://example.test/a">https://example.test/a</a>`,
    });
    assert.equal(report.content.links, 1);
  });

  it("words, link density and domains are measured", async () => {
    const report = await inspect({
      text: "x",
      html: `<p>${words(50)}</p><a href="https://a.example.test/x">A</a> <a href="https://b.shop.co.uk/y">B</a>`,
    });
    assert.equal(report.content.words, 52);
    assert.equal(report.content.links, 2);
    assert.equal(report.content.linksPer100Words, 3.85);
    assert.deepEqual(report.content.linkDomains, ["example.test", "shop.co.uk"]);
    assert.deepEqual(report.content.foreignLinkDomains, ["shop.co.uk"]);
  });
});
