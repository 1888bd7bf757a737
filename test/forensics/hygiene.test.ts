import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { inspectMessage } from "../../src/forensics/inspect.ts";
import { buildMail, type MailSpec } from "../../testkit/forensics-mail.ts";

const headerIds = async (spec: MailSpec) => {
  const report = await inspectMessage(Buffer.from(buildMail(spec)));
  return report.findings.filter((f) => f.area === "headers").map((f) => f.id);
};

/** RFC 5322 hygiene: the header edit and the one finding it must produce. */
const CASES: { name: string; headers: [string, string][]; expect: string[] }[] = [
  { name: "well-formed", headers: [], expect: [] },
  { name: "no From", headers: [["From", ""]], expect: ["FROM_MISSING"] },
  { name: "From without an address", headers: [["From", "Newsletter Team"]], expect: ["FROM_MISSING"] },
  {
    name: "two From headers",
    headers: [
      ["From", "a@example.test"],
      ["From", "b@example.test"],
    ],
    expect: ["FROM_MULTIPLE"],
  },
  {
    name: "two mailboxes in From",
    headers: [["From", "a@example.test, b@example.test"]],
    expect: ["FROM_MULTIPLE"],
  },
  { name: "no Message-ID", headers: [["Message-ID", ""]], expect: ["MESSAGE_ID_MISSING"] },
  {
    name: "Message-ID without brackets",
    headers: [["Message-ID", "12345@example.test"]],
    expect: ["MESSAGE_ID_MALFORMED"],
  },
  { name: "Message-ID without @", headers: [["Message-ID", "<12345>"]], expect: ["MESSAGE_ID_MALFORMED"] },
  { name: "no Date", headers: [["Date", ""]], expect: ["DATE_MISSING"] },
  { name: "unparseable Date", headers: [["Date", "yesterday at noon"]], expect: ["DATE_INVALID"] },
  {
    name: "two Subjects",
    headers: [
      ["Subject", "a"],
      ["Subject", "b"],
    ],
    expect: ["HEADER_DUPLICATED"],
  },
  {
    name: "two Message-IDs",
    headers: [
      ["Message-ID", "<a@x.test>"],
      ["Message-ID", "<b@x.test>"],
    ],
    expect: ["HEADER_DUPLICATED"],
  },
  { name: "no Subject", headers: [["Subject", ""]], expect: ["SUBJECT_MISSING"] },
];

describe("RFC 5322 hygiene", () => {
  for (const { name, headers, expect } of CASES) {
    it(name, async () => {
      assert.deepEqual(await headerIds({ headers }), expect);
    });
  }

  it("a hygiene failure fails the RFC 5322 requirement rows", async () => {
    const report = await inspectMessage(Buffer.from(buildMail({ headers: [["Message-ID", ""]] })));
    const rows = report.requirements.rows.filter((row) => row.check === "rfc5322");
    assert.ok(rows.length >= 3);
    assert.ok(rows.every((row) => row.status === "fail"));
    assert.ok(rows.every((row) => row.source.length > 0));
    const failed = report.findings.find(
      (f) => f.id === "REQUIREMENT_FAILED" && /RFC 5321 and RFC 5322|RFC 5322 format/.test(f.evidence),
    );
    assert.ok(failed, "one REQUIREMENT_FAILED for the RFC 5322 check");
    assert.equal(failed.severity, "high");
    assert.match(failed.evidence, /apple \(all\).*gmail \(all\).*yahoo \(all\)/);
  });
});

describe("sent and received copies", () => {
  it("a campaign .eml is a sent copy; iCloud's headers make it a received copy with a Junk verdict", async () => {
    const sent = await inspectMessage(Buffer.from(buildMail()));
    assert.equal(sent.message.copy, "sent");
    assert.equal(sent.headers.apple, null);
    const received = await inspectMessage(
      Buffer.from(
        buildMail({
          headers: [
            [
              "Received",
              "from mail.example.test (mail.example.test [192.0.2.7]) by p44-mailgateway.icloud.com with ESMTPS id 1; Tue, 01 Jul 2025 10:00:05 +0000",
            ],
            ["X-Apple-Action", "JUNK/Junk"],
            ["X-Apple-MoveToFolder", "Junk"],
            ["X-ICL-SCORE", "3.332033030043"],
            ["Authentication-Results", "dmarc.icloud.com; dmarc=pass header.from=example.test"],
          ],
        }),
      ),
    );
    assert.equal(received.message.copy, "received");
    assert.equal(received.headers.apple?.verdict, "junk");
    assert.equal(received.headers.apple?.iclScore, "3.332033030043");
    assert.ok(received.findings.some((f) => f.id === "APPLE_JUNK"));
    assert.equal(received.auth.envelope.ip, "192.0.2.7");
    assert.equal(received.auth.envelope.source, "received");
    assert.equal(received.requirements.rows.find((row) => row.id === "gmail-tls")?.status, "pass");
  });

  it("Proofpoint's encoded-word X-Proofpoint-Virus-Version is decoded", async () => {
    const report = await inspectMessage(
      Buffer.from(
        buildMail({
          headers: [
            [
              "X-Proofpoint-Virus-Version",
              "=?UTF-8?Q?vendor=3Dfsecure_engine=3D2.50.10434:,,_definitions=3D2020-01-08=5F01:,,_signatures=3D0?=",
            ],
            ["X-Proofpoint-Spam-Details", "rule=notspam policy=default score=0 mlxlogscore=999"],
          ],
        }),
      ),
    );
    assert.equal(
      report.headers.proofpoint?.virusVersion,
      "vendor=fsecure engine=2.50.10434:,, definitions=2020-01-08_01:,, signatures=0",
    );
    assert.equal(report.headers.proofpoint?.fields.mlxlogscore.value, "999");
  });

  it("offline inspection says what it skipped and asks no DNS question", async () => {
    const report = await inspectMessage(Buffer.from(buildMail()));
    assert.equal(report.offline, true);
    assert.ok(report.skipped.some((s) => /SPF/.test(s)));
    assert.ok(report.skipped.some((s) => /DBL/.test(s)));
    assert.equal(report.links.checked, false);
    assert.equal(report.auth.verified, false);
    assert.match(report.summary, /Offline/);
  });
});
