/**
 * `deliverlens/diagnose`: ranked causes of a provider's policy rejections from a store, the prescriptions
 * (suppression segment, warm-up plan, escalation note), and the Markdown and HTML reports. Functions and
 * types only.
 */
export { type DiagnoseOptions, diagnoseStore } from "../diagnose/diagnose-store.ts";
export type { DiagnosisReport } from "../diagnose/report.ts";
export type { Cause, CauseId, Evidence } from "../diagnose/types.ts";
export { planCsv, type WarmupPlan, warmupPlan } from "../diagnose/warmup.ts";
export { renderHtml } from "../report/html.ts";
export { renderMarkdown } from "../report/markdown.ts";
