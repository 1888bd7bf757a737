import { runAudit } from "../../audit/audit.ts";
import { BlocklistDataError, loadBlocklists, withDqsKey } from "../../audit/blocklist-data.ts";
import { createMtaStsFetcher } from "../../audit/policy-fetch.ts";
import { createResolver, normalizeName } from "../../dns/index.ts";
import { domainOption, ipOptions, resolverOption } from "../../dns/options.ts";
import { renderAudit } from "../../report/audit-terminal.ts";
import { createProgress } from "../../report/progress.ts";
import { atOrAbove, isSeverity, SEVERITY_ORDER } from "../../util/severity.ts";
import { EXIT, UsageError } from "../exit.ts";

export interface AuditOptions {
  domain: string;
  ip?: string[];
  dkimSelector?: string[];
  mailFrom?: string;
  helo?: string;
  json?: boolean;
  resolver: string;
  lists?: string;
  dqsKey?: string;
  failOn?: string;
  online?: boolean;
  timeout: string;
}

/** `deliverlens audit`: validate options, run every check, print, and map findings to the exit code. */
export async function runAuditCommand(options: AuditOptions): Promise<number> {
  const domain = domainOption(options.domain);
  const ips = ipOptions(options.ip);
  if (Boolean(options.mailFrom) !== Boolean(options.helo))
    throw new UsageError("--mail-from and --helo go together");
  if (options.mailFrom && ips.length === 0)
    throw new UsageError("--mail-from needs --ip: the SPF result is for a connecting IP");
  const failOn = options.failOn?.toLowerCase();
  if (failOn !== undefined && !isSeverity(failOn)) {
    throw new UsageError(`--fail-on must be one of ${SEVERITY_ORDER.join(", ")}`);
  }
  const timeoutMs = Number(options.timeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 10 || timeoutMs > 60000)
    throw new UsageError("--timeout must be 10-60000 ms");
  const spec = resolverOption(options.resolver);
  let lists: Awaited<ReturnType<typeof loadBlocklists>>;
  try {
    lists = await loadBlocklists(options.lists);
  } catch (error) {
    if (error instanceof BlocklistDataError) {
      process.stderr.write(`deliverlens audit: ${error.message}\n`);
      return EXIT.failed;
    }
    throw error;
  }
  try {
    lists = withDqsKey(lists, options.dqsKey);
  } catch (error) {
    throw error instanceof BlocklistDataError ? new UsageError(error.message) : error;
  }
  const resolver = createResolver(spec, { timeoutMs });
  const progress = createProgress("audit", null, "DNS questions");
  const waiting = waitingNotice(resolver.description, timeoutMs, () => resolver.log.length);
  const ticker = setInterval(() => progress.tick(resolver.log.length), 100);
  const report = await runAudit({
    resolver,
    domain,
    ips,
    selectors: options.dkimSelector ?? [],
    mailFrom: options.mailFrom ?? null,
    helo: options.helo ? normalizeName(options.helo) : null,
    lists,
    fetchPolicy: options.online ? createMtaStsFetcher(resolver) : null,
  }).finally(() => {
    clearInterval(ticker);
    clearTimeout(waiting);
    progress.finish();
  });
  process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : renderAudit(report));
  if (report.dns.unreachable || report.dns.domain === "untrusted") {
    const why = report.dns.unreachable
      ? `the DNS resolver ${report.resolver} did not answer`
      : `the DNS resolver ${report.resolver} denies names that must exist`;
    process.stderr.write(
      `deliverlens audit: ${why}; nothing about ${domain} could be checked (see --resolver)\n`,
    );
    return EXIT.failed;
  }
  if (failOn && report.findings.some((f) => atOrAbove(f.severity, failOn))) return EXIT.findingsAtThreshold;
  return EXIT.ok;
}

/** On a terminal, say what we wait for when the first DNS answer takes over a second. */
function waitingNotice(resolver: string, timeoutMs: number, answered: () => number): NodeJS.Timeout {
  return setTimeout(() => {
    if (answered() > 0 || !process.stderr.isTTY || process.env.CI) return;
    process.stderr.write(
      `audit: waiting for DNS answers from ${resolver} (timeout ${timeoutMs} ms a try)…\n`,
    );
  }, 1000).unref();
}
