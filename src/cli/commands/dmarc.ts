import type { Command } from "commander";
import { DEFAULT_STORE } from "../options.ts";
import type { DmarcCliOptions, FetchCliOptions } from "../run/dmarc.ts";

export function registerDmarc(program: Command): void {
  const dmarc = program
    .command("dmarc")
    .description(
      "What DMARC aggregate and TLS reports say: who sends as your domain, whether it passes, what receivers did",
    )
    .option("--db <path>", "the store", DEFAULT_STORE)
    .option("--domain <domain>", "only this policy domain")
    .option("--from <date>", "first day (YYYY-MM-DD, UTC); default: every stored report")
    .option("--to <date>", "last day (YYYY-MM-DD, UTC)")
    .option("--resolve", "look up the sources' PTR names (otherwise no DNS query is made)")
    .option("--resolver <spec>", "with --resolve: system, or udp://HOST:PORT", "system")
    .option("--timeout <ms>", "with --resolve: per-query DNS timeout in milliseconds", "2000")
    .option("--json", "print the reading as JSON")
    .action(async (options: DmarcCliOptions) => {
      const { runDmarc } = await import("../run/dmarc.ts");
      process.exitCode = await runDmarc(options);
    });
  dmarc
    .command("fetch")
    .description(
      "Read new messages of a DMARC/TLS report mailbox over IMAP and store their reports (progress by UIDVALIDITY + UID, never \\Seen)",
    )
    .requiredOption(
      "--imap <url>",
      "imaps://host[:993] (or imap://host:port with STARTTLS; plaintext to loopback only)",
    )
    .requiredOption("--user <name>", "the IMAP login name")
    .option(
      "--password-env <var>",
      "environment variable holding the password or token",
      "DELIVERLENS_IMAP_PASSWORD",
    )
    .option(
      "--auth <kind>",
      "password or xoauth2 (the variable then holds an OAuth2 access token)",
      "password",
    )
    .option("--mailbox <folder>", "the folder reports arrive in", "INBOX")
    .option("--insecure", "allow plaintext to a remote host and unverifiable certificates")
    .option("--max <n>", "messages read per run at most (the next run goes on)", "10000")
    .option("--db <path>", "the store (as for dmarc)")
    .option("--json", "print the result as JSON")
    .action(async (_options: FetchCliOptions, command: Command) => {
      // --db and --json are also `dmarc`'s own options: commander gives them to whichever it parses first.
      const { runFetch } = await import("../run/dmarc.ts");
      process.exitCode = await runFetch(command.optsWithGlobals() as FetchCliOptions);
    });
}
