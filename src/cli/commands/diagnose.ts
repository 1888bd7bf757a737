import type { Command } from "commander";
import { DEFAULT_STORE, providerOption, windowOptions } from "../options.ts";

export function registerDiagnose(program: Command): void {
  program
    .command("diagnose")
    .description(
      "Explain a provider's policy bounces (Apple CS01 first): ranked causes with evidence and fixes",
    )
    .option("--db <path>", "the store", DEFAULT_STORE)
    .option("--provider <name>", "mailbox provider to diagnose", "apple")
    .option("--from <date>", "first day (YYYY-MM-DD, UTC), as stats --from")
    .option("--to <date>", "last day (YYYY-MM-DD, UTC), as stats --to")
    .option("--messages <dir>", "one .eml per campaign (X-Campaign-ID header, else file stem = campaign id)")
    .option("--domain <domain>", "sending domain to audit (SPF, DKIM, DMARC, blocklists)")
    .option("--ip <ip...>", "sending IPs to audit")
    .option("--resolver <spec>", "DNS: system or udp://HOST:PORT", "system")
    .option("--offline", "no DNS lookups (audit and link checks skipped)")
    .option("--apple-egress <csv>", "Apple's published egress IP ranges: opens from them are machine opens")
    .option("--company <name>", "company name for the Apple escalation note")
    .option("--export <file>", "write the suppression/sunset segment as CSV (address,reason)")
    .option("--json", "print the diagnosis as JSON")
    .option("--md <file>", "write a Markdown report")
    .option("--html <file>", "write a self-contained HTML report with charts")
    .option("--force", "overwrite existing --md/--html/--export files deliverlens did not write")
    .option("--no-redact", "show recipient addresses in reports and the escalation note")
    .action(async (options) => {
      options.provider = providerOption(options.provider);
      windowOptions(options.from, options.to);
      const { runDiagnose } = await import("../run/diagnose.ts");
      process.exitCode = await runDiagnose(options);
    });
}
