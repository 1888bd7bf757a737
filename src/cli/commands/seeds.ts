import type { Command } from "commander";
import { DEFAULT_STORE, providerOption } from "../options.ts";

export function registerSeeds(program: Command): void {
  const seeds = program
    .command("seeds")
    .description(
      "Seed-list placement tests: send a campaign to seed mailboxes, find where each copy landed and why",
    );
  seeds
    .command("send")
    .description(
      "Send the campaign's message through your own SMTP relay to every seed, tagged with a test id",
    )
    .requiredOption("--seeds <csv>", "seed list: address,provider,imap_url,username,password_env[,auth]")
    .requiredOption("--message <eml>", "the campaign's message as it is sent (.eml)")
    .requiredOption(
      "--smtp <url>",
      "your relay: smtp://host:587 (STARTTLS) or smtps://host:465; login from DELIVERLENS_SMTP_USER / DELIVERLENS_SMTP_PASSWORD",
    )
    .option("--from <address>", "envelope sender (default: the message's Return-Path, else From)")
    .option("--test <id>", "use this test id instead of a new one")
    .option("--campaign <name>", "campaign name for `seeds report` (default: the Subject)")
    .option("--db <path>", "the store", DEFAULT_STORE)
    .option("--insecure", "allow plaintext SMTP to a non-loopback relay and certificates that do not verify")
    .option("--json", "print the result as JSON")
    .action(async (options) => {
      const { runSeedsSend } = await import("../run/seeds.ts");
      process.exitCode = await runSeedsSend(options);
    });
  seeds
    .command("check")
    .description(
      "Find the test's copy in each seed mailbox over IMAP (inbox, Gmail tab, junk, missing) and why it is there",
    )
    .requiredOption("--seeds <csv>", "seed list: address,provider,imap_url,username,password_env[,auth]")
    .requiredOption(
      "--test <id>",
      "the test id (printed by `seeds send`, or the id your ESP put in its send)",
    )
    .option(
      "--wait <duration>",
      "keep looking for missing copies this long, e.g. 15m, 20s (0: one pass)",
      "0s",
    )
    .option(
      "--since <date>",
      "search mail received since this day, YYYY-MM-DD (default: the send day, else 2 days ago)",
    )
    .option(
      "--campaign <name>",
      "campaign name for `seeds report` (default: the one `seeds send` recorded, else the Subject)",
    )
    .option("--per-host <n>", "IMAP connections at once per server", "4")
    .option("--timeout <duration>", "connect and greeting timeout per mailbox", "15s")
    .option("--db <path>", "the store", DEFAULT_STORE)
    .option("--insecure", "allow plaintext IMAP to a non-loopback server and certificates that do not verify")
    .option("--json", "print one JSON object per seed")
    .action(async (options) => {
      const { runSeedsCheck } = await import("../run/seeds.ts");
      process.exitCode = await runSeedsCheck(options);
    });
  seeds
    .command("report")
    .description("Placement over time per provider and campaign, from the checks in the store")
    .option("--db <path>", "the store", DEFAULT_STORE)
    .option(
      "--provider <name>",
      "only this mailbox provider (apple, google, …, or a domain such as icloud.com)",
    )
    .option("--test <id>", "only this test")
    .option("--json", "print the rows as JSON")
    .action(async (options) => {
      options.provider = providerOption(options.provider);
      const { runSeedsReport } = await import("../run/seeds.ts");
      process.exitCode = await runSeedsReport(options);
    });
}
