import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { appleFindings, appleReport } from "../../src/forensics/headers/apple.ts";
import {
  parseArcSets,
  parseAuthResults,
  receiverAuthFindings,
} from "../../src/forensics/headers/authentication-results.ts";
import { microsoftFindings, microsoftReport } from "../../src/forensics/headers/microsoft.ts";
import {
  parseProofpointDetails,
  proofpointFindings,
  proofpointReport,
} from "../../src/forensics/headers/proofpoint.ts";
import { hopFindings, parseHops } from "../../src/forensics/headers/received.ts";
import { spamAssassinFindings, spamAssassinReport } from "../../src/forensics/headers/spamassassin.ts";

const ids = (findings: { id: string }[]) => findings.map((f) => f.id);

// Real lines from public samples (https://pastebin.com/8qfHnGPw; https://github.com/moohax/Proof-Pudding), unfolded.
const ICLOUD_2020 =
  "rule=notspam policy=default score=0 suspectscore=0 malwarescore=0 phishscore=0 bulkscore=0 spamscore=0 clxscore=1011 mlxscore=0 mlxlogscore=999 adultscore=0 classifier=spam adjust=0 reason=mlx scancount=1 engine=8.0.1-1908290000 definitions=main-2001080065";
const PPS_2025 =
  "rule=outbound_notspam policy=outbound score=0 mlxscore=0 spamscore=0 clxscore=1015 phishscore=0 lowpriorityscore=0 adultscore=0 mlxlogscore=863 suspectscore=0 bulkscore=0 impostorscore=0 priorityscore=1501 malwarescore=0 classifier=spam authscore=0 authtc=n/a authcc= route=outbound adjust=0 reason=mlx scancount=1 engine=8.19.0-2505160000 definitions=main-2505210063";
const PPS_SPAM =
  "rule=spam policy=default score=100 spamscore=100 ipscore=0 suspectscore=0 phishscore=38 bulkscore=100 adultscore=1 classifier=spam adjust=0 reason=mlx engine=6.0.2-1012030000";

describe("Proofpoint X-Proofpoint-Spam-Details", () => {
  it("parses every token of the iCloud 2020 line into a map with meanings", () => {
    const fields = parseProofpointDetails(ICLOUD_2020);
    assert.equal(Object.keys(fields).length, 18);
    assert.equal(fields.mlxlogscore.value, "999");
    assert.match(fields.mlxlogscore.meaning!, /\(1–999, higher is safer\): clean/);
    assert.match(fields.score.meaning!, /\(0–100, higher is worse\): low/);
    assert.match(fields.clxscore.meaning!, /no threshold/);
    assert.deepEqual(proofpointFindings(proofpointReport(ICLOUD_2020, null, null, null)), []);
  });

  it("keeps unknown 2025 fields raw, without a meaning, in any token order", () => {
    const fields = parseProofpointDetails(PPS_2025);
    assert.equal(fields.authtc.value, "n/a");
    assert.equal(fields.authtc.meaning, null);
    assert.equal(fields.route.meaning, null);
    assert.equal(fields.authcc.value, "");
    assert.match(fields.rule.meaning!, /not spam/);
    assert.match(fields.mlxlogscore.meaning!, /higher is safer/);
    assert.doesNotMatch(fields.mlxlogscore.meaning!, /clean/);
  });

  it("reports a spam rule, a high score and a nonzero phish score", () => {
    const report = proofpointReport(PPS_SPAM, null, null, null);
    assert.match(report!.fields.score.meaning!, /definite/);
    assert.deepEqual(ids(proofpointFindings(report)), [
      "PROOFPOINT_SPAM_VERDICT",
      "PROOFPOINT_HIGH_SPAMSCORE",
      "PROOFPOINT_PHISH_OR_MALWARE",
    ]);
    const suspect = proofpointReport("rule=notspam score=34 spamscore=55", null, null, null);
    assert.deepEqual(ids(proofpointFindings(suspect)), ["PROOFPOINT_HIGH_SPAMSCORE"]);
  });

  it("notes X-Proofpoint-Spam-Details-Enc as opaque", () => {
    const report = proofpointReport(null, "AbCdEf0123==", null, "3xXfrfj_vD7pJQzWLVvSDQL3d_KtfuBU");
    assert.equal(report!.encodedDetailsPresent, true);
    assert.deepEqual(report!.fields, {});
    assert.deepEqual(ids(proofpointFindings(report)), ["PROOFPOINT_DETAILS_ENCODED"]);
    assert.equal(proofpointReport(null, null, null, null), null);
  });
});

describe("Apple verdict headers", () => {
  const cases: [string | null, string | null, string][] = [
    ["MOVE_TO_FOLDER/INBOX", "INBOX", "inbox"],
    ["JUNK/Junk", "Junk", "junk"],
    [null, "Junk", "junk"],
    ["SOMETHING_NEW", null, "unknown"],
  ];
  for (const [action, folder, verdict] of cases) {
    it(`${action} / ${folder} → ${verdict}`, () => {
      const report = appleReport(action, folder, "3.332033030043");
      assert.equal(report!.verdict, verdict);
      assert.equal(report!.iclScore, "3.332033030043");
      assert.deepEqual(ids(appleFindings(report)), verdict === "junk" ? ["APPLE_JUNK"] : []);
    });
  }
});

describe("Microsoft Forefront headers", () => {
  it("reads SCL, BCL and SFV and flags spam and bulk", () => {
    const report = microsoftReport(
      "CIP:192.0.2.7;CTRY:US;LANG:en;SCL:5;SRV:BULK;IPV:NLI;SFV:SPM;H:mail.example.test;PTR:mail.example.test;CAT:SPM;SFS:(13230031);DIR:INB;BCL:8",
      "5",
    );
    assert.equal(report!.scl, 5);
    assert.equal(report!.bcl, 8);
    assert.equal(report!.sfv, "SPM");
    assert.equal(report!.organizationScl, 5);
    assert.deepEqual(ids(microsoftFindings(report)), ["MICROSOFT_SPAM", "MICROSOFT_BULK"]);
  });

  it("is quiet for SCL 1 SFV:NSPM BCL 0", () => {
    const report = microsoftReport("CIP:192.0.2.7;SCL:1;SFV:NSPM;BCL:0", null);
    assert.deepEqual(ids(microsoftFindings(report)), []);
  });

  it("uses X-MS-Exchange-Organization-SCL alone", () => {
    assert.deepEqual(ids(microsoftFindings(microsoftReport(null, "9"))), ["MICROSOFT_SPAM"]);
  });
});

describe("SpamAssassin headers", () => {
  it("reads a folded X-Spam-Status", () => {
    const report = spamAssassinReport(
      "Yes, score=7.2 required=5.0 tests=BAYES_99,\n\tHTML_MESSAGE, URIBL_BLACK autolearn=no version=3.4.6",
      null,
    );
    assert.deepEqual(report, {
      flagged: true,
      score: 7.2,
      required: 5,
      tests: ["BAYES_99", "HTML_MESSAGE", "URIBL_BLACK"],
    });
    assert.deepEqual(ids(spamAssassinFindings(report)), ["SPAMASSASSIN_SPAM"]);
  });

  it("reads old hits= and is quiet for ham", () => {
    const report = spamAssassinReport(
      "No, hits=-2.1 required=5.0 tests=KNOWN_MAILING_LIST version=2.40",
      null,
    );
    assert.equal(report!.score, -2.1);
    assert.deepEqual(ids(spamAssassinFindings(report)), []);
  });
});

describe("Received hops", () => {
  const received = [
    "from mx.internal (localhost [127.0.0.1]) by store.icloud.com with LMTP id 1; Tue, 01 Jul 2025 12:30:00 +0000",
    "from mail.example.test (mail.example.test [198.51.100.7]) by mx01.mail.icloud.com with ESMTPS id 2 (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384); Tue, 01 Jul 2025 12:00:00 +0000",
    "from app (app.example.test [203.0.113.9]) by mail.example.test with SMTP id 3; Tue, 01 Jul 2025 10:00:00 +0000",
  ];

  it("orders hops oldest first with delays, IPs and TLS", () => {
    const hops = parseHops(received);
    assert.equal(hops.length, 3);
    assert.equal(hops[0].ip, "203.0.113.9");
    assert.equal(hops[0].tls, false);
    assert.equal(hops[1].tls, true);
    assert.equal(hops[1].delaySeconds, 7200);
    assert.equal(hops[2].delaySeconds, 1800);
    assert.equal(hops[2].time, "2025-07-01T12:30:00.000Z");
  });

  it("flags the slow hop and the plain-text public hop only", () => {
    const found = hopFindings(parseHops(received));
    assert.deepEqual(ids(found), ["RECEIVED_SLOW_HOP", "RECEIVED_WITHOUT_TLS"]);
    assert.match(found[1].evidence, /mail\.example\.test with SMTP/);
    assert.doesNotMatch(found[1].evidence, /LMTP/);
  });
});

describe("Authentication-Results and ARC", () => {
  it("parses iCloud's per-method headers", () => {
    const parsed = parseAuthResults(
      "dkim-verifier.icloud.com; dkim=pass (1024-bit key) header.d=example.test header.s=s1",
    );
    assert.equal(parsed!.authservId, "dkim-verifier.icloud.com");
    assert.deepEqual(parsed!.results[0], {
      method: "dkim",
      result: "pass",
      comment: "1024-bit key",
      properties: { "header.d": "example.test", "header.s": "s1" },
    });
    const bimi = parseAuthResults('bimi.icloud.com; bimi=skipped reason="insufficient dmarc"');
    assert.equal(bimi!.results[0].method, "bimi");
    assert.equal(bimi!.results[0].result, "skipped");
  });

  it("turns a receiver's dmarc=fail into a finding, not a bimi skip", () => {
    const headers = [
      parseAuthResults("dmarc.icloud.com; dmarc=fail header.from=example.test")!,
      parseAuthResults('bimi.icloud.com; bimi=skipped reason="insufficient dmarc"')!,
    ];
    const found = receiverAuthFindings(headers);
    assert.deepEqual(ids(found), ["RECEIVER_AUTH_FAILED"]);
    assert.match(found[0].evidence, /dmarc\.icloud\.com: dmarc=fail/);
    assert.deepEqual(
      receiverAuthFindings([parseAuthResults("mx.test; spf=pass smtp.mailfrom=a@b.test")!]),
      [],
    );
  });

  it("groups ARC headers into sets by instance", () => {
    const sets = parseArcSets(
      [
        "i=2; a=rsa-sha256; cv=pass; d=forwarder.test; s=arc; b=x",
        "i=1; a=rsa-sha256; cv=none; d=lists.test; s=arc; b=y",
      ],
      ["i=1; a=rsa-sha256; c=relaxed/relaxed; d=lists.test; s=arc; h=from; bh=z; b=w"],
      ["i=1; mx.lists.test; dkim=pass header.d=example.test; spf=pass smtp.mailfrom=example.test"],
    );
    assert.deepEqual(
      sets.map((s) => [s.instance, s.cv, s.sealDomain, s.signatureDomain]),
      [
        [1, "none", "lists.test", "lists.test"],
        [2, "pass", "forwarder.test", null],
      ],
    );
    assert.deepEqual(
      sets[0].authResults!.results.map((r) => `${r.method}=${r.result}`),
      ["dkim=pass", "spf=pass"],
    );
  });
});
