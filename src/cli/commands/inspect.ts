import type { Command } from "commander";

export function registerInspect(program: Command): void {
  program
    .command("inspect")
    .description(
      "Inspect messages (.eml, as sent or as received): headers, authentication, requirements, content, links",
    )
    .argument("<files...>", ".eml files")
    .option("--json", "print one JSON object (one report, or { reports: [...] } for several files)")
    .option("--resolver <spec>", "DNS resolver: system or udp://HOST:PORT", "system")
    .option("--ip <ip>", "client IP for SPF (default: from the receiver's Received header)")
    .option("--mail-from <address>", "MAIL FROM for SPF (default: Return-Path, else the From address)")
    .option("--helo <name>", "HELO/EHLO name for SPF")
    .option("--offline", "ask no DNS question; list the checks skipped")
    .action(async (files: string[], options) => {
      const { runInspect } = await import("../run/inspect.ts");
      process.exitCode = await runInspect(files, options);
    });
}
