import type { DiagnosisReport } from "../src/diagnose/report.ts";

/** Text an attacker controls (campaign names, reply texts) as it could arrive in mail. */
export const HOSTILE = `<script>alert("x")</script><img src=https://evil.example/p.gif onerror=alert(1)>\u001b[31m | **bold** [link](https://evil.example)`;

/** A small diagnosis report with hostile strings in every mail-borne field, for renderer tests. */
export function hostileReport(): DiagnosisReport {
  const days = Array.from({ length: 30 }, (_, i) => {
    const day = new Date(Date.UTC(2026, 5, 1) + i * 86_400_000).toISOString().slice(0, 10);
    return {
      day,
      sent: 1000 + (i === 20 ? 2500 : 0),
      policy: i === 20 ? 60 : 2,
      policyBounces: i === 20 ? 60 : 2,
      dormant: 300,
      unknown: 0,
      spike: i === 20,
      episode: i === 20 || i === 21,
    };
  });
  return {
    schemaVersion: 1,
    meta: {
      generatedAt: "2026-07-01T00:00:00.000Z",
      deliverlensVersion: "0.1.0",
      store: "program.duckdb",
      offline: true,
      redacted: true,
    },
    provider: "apple",
    summary: `Most likely cause: content. ${HOSTILE}`,
    figures: {
      messages: days.reduce((s, d) => s + d.sent, 0),
      policyBounces: days.reduce((s, d) => s + d.policy, 0),
      rate: 0.003,
      window: { from: days[0].day, to: days[29].day, days: 30 },
    },
    causes: [
      {
        id: "content",
        title: "Content or links of particular campaigns",
        confidence: 0.8,
        passed: true,
        evidence: [
          {
            text: `Policy-bounce rate 6 % in campaign ${HOSTILE}`,
            metric: "x",
            value: 0.06,
            baseline: 0.002,
            test: "Fisher",
            p: 1e-9,
          },
        ],
        actions: [`Remove the links to ${HOSTILE}`],
        rulesOut: [`ip-reputation: ${HOSTILE}`],
        subjects: [HOSTILE],
      },
      {
        id: "insufficient-evidence",
        title: "No clear cause / not enough data",
        confidence: 0,
        passed: false,
        evidence: [{ text: "n/a" }],
        actions: [],
        rulesOut: [],
      },
    ],
    episodes: [
      {
        provider: "apple",
        start: days[20].day,
        end: days[21].day,
        days: 2,
        policyBounces: 62,
        sent: 4500,
        rate: 0.0138,
        providerCodes: { CS01: 62 },
      },
    ],
    daily: days,
    tiers: [
      { tier: "0-30", recipients: 4000 },
      { tier: "31-90", recipients: 3000 },
      { tier: "91-180", recipients: 2000 },
      { tier: "181-365", recipients: 1500 },
      { tier: "365+", recipients: 1000 },
      { tier: "never", recipients: 800 },
    ],
    campaigns: [
      { campaign: "weekly-1", sent: 3000, policy: 5, flagged: false, spike: false },
      { campaign: HOSTILE, sent: 3000, policy: 180, flagged: true, spike: false },
      { campaign: "weekly-2", sent: 3000, policy: 6, flagged: false, spike: true },
    ],
    ips: [{ ip: "192.0.2.10", sent: 9000, policy: 191 }],
    prescriptions: {
      suppression: {
        suppress: [{ reason: "never-engaged", recipients: 800 }],
        suppressTotal: 800,
        reengage: 2000,
        sunsetDays: 180,
        export: null,
      },
      reengagement: ["Send 2–3 win-back messages"],
      warmup: {
        target: 3000,
        days: 12,
        growth: 1.4,
        source: "SendGrid",
        command: "deliverlens plan --target 3000",
      },
      content: [`Replace ${HOSTILE}`],
      dns: ["Publish DMARC"],
      delisting: [],
      escalation: `To: icloudadmin@apple.com\n  - ${HOSTILE} — 5 times`,
    },
    problems: [],
  };
}
