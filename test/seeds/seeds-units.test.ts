import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { seedEvidence } from "../../src/diagnose/seed-evidence.ts";
import { inspectHeaders } from "../../src/forensics/headers/section.ts";
import { parseMessage } from "../../src/forensics/message.ts";
import { seedsHtml } from "../../src/report/seeds.ts";
import { verdictReasons } from "../../src/seeds/analyse.ts";
import { findCopy } from "../../src/seeds/check.ts";
import { JUNK_FOLDER_NAMES, junkCandidates } from "../../src/seeds/folders.ts";
import { parseSeedList } from "../../src/seeds/seed-list.ts";
import { envelopeSender, parseSmtpUrl } from "../../src/seeds/send.ts";
import { tagMessage } from "../../src/seeds/tag.ts";
import { checkTestId, newTestId } from "../../src/seeds/test-id.ts";
import type { SeedPlacementRow } from "../../src/store/seeds.ts";

const HEADER = "address,provider,imap_url,username,password_env,auth";

describe("seed list", () => {
  test("rows give address, provider id, account; bad rows are problems with their line, the rest is used", () => {
    const list = parseSeedList(
      [
        HEADER,
        "a@icloud.com,icloud,imaps://imap.mail.me.com:993,a@icloud.com,SEED_APPLE,",
        'b@gmail.com,,imaps://imap.gmail.com,"b@gmail.com",SEED_GMAIL,password',
        "c@outlook.com,Outlook,imaps://outlook.office365.com,c@outlook.com,SEED_MS,xoauth2",
        "d@yahoo.com,yahoo,imaps://d:hunter2@imap.mail.yahoo.com,d,SEED_Y,",
        "e@example.org,custom,imap://10.0.0.1:143,e,not a name!,",
        "no-at-sign,apple,imaps://x,y,Z,",
        "a@icloud.com,apple,imaps://imap.mail.me.com,a,SEED_APPLE,",
        "f@example.org,custom,imaps://mail.example.org,,SEED_F,kerberos",
        "",
      ].join("\r\n"),
    );
    assert.deepEqual(
      list.seeds.map((seed) => [seed.address, seed.provider, seed.account.auth, seed.line]),
      [
        ["a@icloud.com", "apple", "password", 2],
        ["b@gmail.com", "google", "password", 3],
        ["c@outlook.com", "microsoft", "xoauth2", 4],
      ],
    );
    assert.deepEqual(
      list.problems.map((problem) => problem.line),
      [5, 6, 7, 8, 9],
    );
    assert.match(list.problems[0].message, /imap_url: the IMAP URL must not carry a user or password/);
    assert.ok(!list.problems[0].message.includes("hunter2"));
    assert.match(list.problems[1].message, /password_env: .* is not an environment variable name/);
    assert.match(list.problems[3].message, /listed twice/);
    assert.match(list.problems[4].message, /auth "kerberos"/);
  });

  test("a list without the required header columns is refused as a whole", () => {
    assert.throws(
      () => parseSeedList("address,provider\nx@y.z,apple\n"),
      /lacks imap_url, username, password_env/,
    );
    assert.throws(() => parseSeedList(""), /empty seed list/);
  });
});

describe("test ids and tagging", () => {
  test("new ids are distinct and valid; ids given with --test are checked", () => {
    const a = newTestId();
    assert.notEqual(a, newTestId());
    assert.equal(checkTestId(a), null);
    assert.equal(checkTestId("esp-campaign-2026-12-01"), null);
    assert.match(checkTestId("short") ?? "", /8 to 100/);
    assert.match(checkTestId("has space in it") ?? "", /8 to 100/);
  });

  test("a plain message gets the header and a body token; the original text stays", () => {
    const raw = Buffer.from("From: a@b.test\r\nSubject: hi\r\n\r\nHello there.\r\n");
    const tagged = tagMessage(raw, "dl-test000001");
    const text = tagged.raw.toString();
    assert.equal(tagged.body, "tagged");
    assert.match(text, /^X-Deliverlens-Test: dl-test000001\r\nFrom: a@b.test/);
    assert.match(text, /Hello there\.\r\n\r\ndeliverlens-test: dl-test000001\r\n$/);
  });

  test("multipart: every inline text part carries the token, base64 re-encoded, QP and attachments untouched", () => {
    const html = Buffer.from("<html><body><p>Sale – 20 %</p></body></html>").toString("base64");
    const raw = Buffer.from(
      [
        "From: a@b.test",
        'Content-Type: multipart/mixed; boundary="outer"',
        "",
        "--outer",
        'Content-Type: multipart/alternative; boundary="inner"',
        "",
        "--inner",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: quoted-printable",
        "",
        "Sale =E2=80=93 20 %",
        "--inner",
        "Content-Type: text/html; charset=utf-8",
        "Content-Transfer-Encoding: base64",
        "",
        html,
        "--inner--",
        "--outer",
        "Content-Type: text/plain; name=terms.txt",
        "Content-Disposition: attachment; filename=terms.txt",
        "",
        "terms",
        "--outer--",
        "",
      ].join("\r\n"),
    );
    const tagged = tagMessage(raw, "dl-test000002");
    const text = tagged.raw.toString();
    assert.equal(tagged.body, "tagged");
    assert.match(text, /Sale =E2=80=93 20 %\r\n\r\ndeliverlens-test: dl-test000002\r\n/);
    const b64 = /base64\r\n\r\n([A-Za-z0-9+/=\r\n]+?)\r\n(?:\r\n)?--inner--/.exec(text)?.[1] ?? "";
    const decoded = Buffer.from(b64.replace(/\s/g, ""), "base64").toString();
    assert.match(decoded, /<p>deliverlens-test: dl-test000002<\/p>\r\n<\/body>/);
    assert.match(decoded, /Sale – 20 %/);
    assert.match(text, /filename=terms.txt\r\n\r\nterms\r\n--outer--/);
  });

  test("a DKIM-signed message keeps its body byte for byte: header only, and it says so", () => {
    const body = "Hello,\r\n\r\nour offer.\r\n";
    const raw = Buffer.from(
      `DKIM-Signature: v=1; a=rsa-sha256; d=b.test; s=s1; h=from:subject; bh=x; b=y\r\nFrom: a@b.test\r\n\r\n${body}`,
    );
    const tagged = tagMessage(raw, "dl-test000003");
    assert.equal(tagged.body, "dkim-signed");
    assert.match(tagged.note ?? "", /DKIM-signed.*header only/);
    assert.ok(tagged.raw.toString().endsWith(`\r\n\r\n${body}`));
    assert.equal(tagged.raw.length, raw.length + "X-Deliverlens-Test: dl-test000003\r\n".length);
  });

  test("SMTP URLs and the envelope sender", () => {
    assert.deepEqual(parseSmtpUrl("smtp://relay.example.com"), {
      host: "relay.example.com",
      port: 587,
      implicitTls: false,
    });
    assert.deepEqual(parseSmtpUrl("smtps://relay.example.com"), {
      host: "relay.example.com",
      port: 465,
      implicitTls: true,
    });
    assert.throws(() => parseSmtpUrl("smtp://u:p@relay.example.com"), /no credentials in the URL/);
    assert.equal(envelopeSender(Buffer.from("From: Shop <news@shop.test>\r\n\r\nx")), "news@shop.test");
    assert.equal(
      envelopeSender(Buffer.from("Return-Path: <bounce@esp.test>\r\nFrom: news@shop.test\r\n\r\nx")),
      "bounce@esp.test",
    );
  });
});

describe("spam folders", () => {
  const folder = (path: string, flags: string[] = [], specialUse: string | null = null) => ({
    path,
    delimiter: "/",
    specialUse,
    specialUseSource: specialUse ? ("extension" as const) : null,
    flags,
  });

  test("the \\Junk flag comes first, then every known name (plain Bulk included), nothing else", () => {
    const candidates = junkCandidates([
      folder("INBOX"),
      folder("Spam"),
      folder("Archive/Bulk"),
      folder("Werbung", ["\\Junk"], "\\Junk"),
      folder("Newsletters"),
    ]);
    assert.deepEqual(candidates, [
      { path: "Werbung", by: "flag" },
      { path: "Spam", by: "name" },
      { path: "Archive/Bulk", by: "name" },
    ]);
  });

  test("each listed name is recognised as a spam folder by name (its example)", () => {
    for (const entry of JUNK_FOLDER_NAMES) {
      assert.deepEqual(junkCandidates([folder(entry.name)]), [{ path: entry.name, by: "name" }], entry.name);
      assert.match(entry.source, /https:\/\//);
    }
  });
});

describe("reasons from the received copy's headers", () => {
  test("Apple, Proofpoint, Microsoft and the receiver's Authentication-Results become reasons", async () => {
    const message = await parseMessage(
      Buffer.from(
        [
          "Authentication-Results: mx.icloud.com; dkim=pass header.d=shop.test; spf=pass smtp.mailfrom=shop.test; dmarc=fail header.from=shop.test",
          "X-Apple-Action: JUNK/Junk",
          "X-Apple-MoveToFolder: Junk",
          "X-Proofpoint-Spam-Details: rule=notspam policy=default score=87 spamscore=87 bulkscore=12",
          "X-Forefront-Antispam-Report: SCL:5;SFV:SPM;BCL:7;",
          "From: a@shop.test",
          "",
          "x",
        ].join("\r\n"),
      ),
    );
    const { reasons, verdicts } = verdictReasons(inspectHeaders(message).section);
    assert.equal(verdicts.apple?.verdict, "junk");
    assert.equal(verdicts.proofpoint?.spamscore, 87);
    assert.equal(verdicts.microsoft?.scl, 5);
    assert.equal(verdicts.auth?.dmarc, "fail");
    assert.ok(reasons.some((reason) => /Apple's verdict junk: X-Apple-Action: JUNK\/Junk/.test(reason)));
    assert.ok(
      reasons.some((reason) => /Proofpoint rule=notspam score=87 spamscore=87 bulkscore=12/.test(reason)),
    );
    assert.ok(reasons.some((reason) => /Microsoft SCL 5 \(spam\), BCL 7, SFV SPM \(spam\)/.test(reason)));
    assert.ok(
      reasons.some((reason) =>
        /authentication at mx\.icloud\.com: dkim=pass spf=pass dmarc=fail/.test(reason),
      ),
    );
  });
});

describe("seed results as diagnose evidence and in the HTML report", () => {
  const row = (
    campaign: string,
    junk: number,
    proofpointMax: number | null,
    provider = "apple",
  ): SeedPlacementRow => ({
    testId: `dl-${campaign}`,
    campaign,
    day: "2026-12-01",
    provider,
    seeds: 4,
    inbox: 4 - junk,
    tab: 0,
    junk,
    missing: 0,
    error: 0,
    proofpointMax,
    appleJunk: junk,
    lastCheckedAt: "2026-12-01T10:00:00.000Z",
  });

  test("one campaign in Junk with a suspect Proofpoint score, the others in the inbox, supports content", () => {
    const { content, reputation } = seedEvidence([row("promo", 3, 92), row("newsletter", 0, 10)], "apple");
    assert.equal(content.length, 1);
    assert.match(
      content[0].text,
      /promo \(2026-12-01\): 3 of 4 seeds in Junk, Proofpoint score up to 92, Apple's verdict Junk on 3/,
    );
    assert.equal(content[0].metric, "seed junk share");
    assert.equal(reputation.length, 0);
  });

  test("every tested campaign in Junk supports reputation, not content; other providers are ignored", () => {
    const { content, reputation } = seedEvidence(
      [row("a", 4, 90), row("b", 3, 20), row("c", 0, null, "google")],
      "apple",
    );
    assert.equal(content.length, 0);
    assert.match(
      reputation[0].text,
      /Every seed-tested campaign landed mostly in Junk \(2 campaigns, 7 of 8 seed copies\)/,
    );
    assert.equal(
      seedEvidence([row("a", 4, 90)], "apple").reputation.length,
      0,
      "one campaign is not a pattern",
    );
  });

  test("the HTML section escapes campaign names", () => {
    const html = seedsHtml([row("<script>alert(1)</script>", 1, 50)]);
    assert.ok(!html.includes("<script>"));
    assert.match(html, /&#60;script&#62;alert\(1\)&#60;\/script&#62;/);
    assert.match(html, /<h2>Seed-list placement<\/h2>/);
  });
});

describe("finding the copy on a Gmail-like server (X-GM-EXT-1)", () => {
  const session = (category: string | null) => {
    const searches: { folder: string; query: Record<string, unknown> }[] = [];
    const fake = {
      endpoint: { host: "imap.gmail.com", port: 993, implicitTls: true },
      capabilities: new Set(["IMAP4rev1", "X-GM-EXT-1"]),
      client: null as never,
      async folders() {
        return [
          {
            path: "INBOX",
            delimiter: "/",
            specialUse: "\\Inbox",
            specialUseSource: "name" as const,
            flags: [],
          },
          {
            path: "[Gmail]",
            delimiter: "/",
            specialUse: null,
            specialUseSource: null,
            flags: ["\\Noselect"],
          },
          {
            path: "[Gmail]/Spam",
            delimiter: "/",
            specialUse: "\\Junk",
            specialUseSource: "extension" as const,
            flags: ["\\Junk"],
          },
        ];
      },
      async search(folder: string, query: Record<string, unknown>) {
        searches.push({ folder, query });
        if (folder !== "INBOX") return [];
        if (typeof query.gmraw === "string") return query.gmraw === `category:${category}` ? [7] : [];
        return [7];
      },
      async download() {
        return {
          uid: 7,
          raw: Buffer.from("X-Deliverlens-Test: dl-gmailtab01\r\n\r\nx"),
          truncated: false,
          size: 40,
          internalDate: null,
        };
      },
    };
    return { fake, searches };
  };
  const options = { testId: "dl-gmailtab01", since: new Date("2026-12-01"), maxMessageBytes: 1000 };

  test("a copy in INBOX under Promotions is placement tab, asked with X-GM-RAW", async () => {
    const { fake, searches } = session("promotions");
    const { found } = await findCopy(fake, options);
    assert.equal(found?.placement, "tab");
    assert.equal(found?.folder, "INBOX/promotions");
    assert.match(found?.reason ?? "", /Gmail Promotions tab/);
    assert.ok(searches.some((s) => s.query.gmraw === "category:promotions" && s.query.uid === "7"));
  });

  test("a copy in the Primary tab stays inbox", async () => {
    const { fake } = session(null);
    const { found } = await findCopy(fake, options);
    assert.equal(found?.placement, "inbox");
    assert.equal(found?.matchedBy, "header");
  });
});
