import type { Command } from "commander";

const collect = (value: string, previous: string[] = []) => [
  ...previous,
  ...value.split(",").filter(Boolean),
];

export function registerAudit(program: Command): void {
  program
    .command("audit")
    .description(
      "Audit a sending domain and its IPs: SPF, DMARC, DKIM, MX, PTR, MTA-STS, TLS-RPT, BIMI, blocklists",
    )
    .requiredOption("--domain <domain>", "the sending domain (the From:/MAIL FROM domain)")
    .option("--ip <ip...>", "sending IP address(es); repeat or separate with commas", collect)
    .option("--dkim-selector <selector...>", "DKIM selector(s) your mail is signed with (s= tag)", collect)
    .option("--mail-from <address>", "with --helo and --ip: compute the exact SPF result for this envelope")
    .option("--helo <name>", "the HELO/EHLO name, with --mail-from")
    .option("--json", "print the report as JSON")
    .option("--resolver <spec>", "system, or udp://HOST:PORT to ask one DNS server", "system")
    .option("--lists <file>", "blocklist data file replacing data/blocklists.json")
    .option("--dqs-key <key>", "Spamhaus DQS key: query Spamhaus through its Data Query Service zones")
    .option(
      "--fail-on <severity>",
      "exit 3 when a finding of this severity or worse exists (critical|high|medium|low|info)",
    )
    .option("--online", "also fetch the MTA-STS policy over HTTPS")
    .option("--timeout <ms>", "per-query DNS timeout in milliseconds", "2000")
    .action(async (options) => {
      const { runAuditCommand } = await import("../run/audit.ts");
      process.exitCode = await runAuditCommand(options);
    });
}
