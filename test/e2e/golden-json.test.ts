import assert from "node:assert/strict";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { loadBlocklists } from "../../src/audit/blocklist-data.ts";
import { spawnCli } from "../../testkit/cli-spawn.ts";
import { startDnsServer, type TestDnsServer } from "../../testkit/dns-server.ts";
import { auditZones, BROKEN_DOMAIN, BROKEN_IP, CLEAN_DOMAIN, CLEAN_IPS } from "../../testkit/dns-zones.ts";

/**
 * Golden `--json` (and CSV/Markdown) outputs of every command on the fixtures (issue 14): code moves
 * between folders must not change a byte of what a command prints. An intended change from another issue
 * regenerates them in its own commit that names the issue:
 *
 *   UPDATE_GOLDEN=1 node --test test/e2e/golden-json.test.ts
 *
 * Only what varies from run to run is normalised: temporary paths, the repository path, the generation
 * time and elapsed-time fields.
 */
const repo = fileURLToPath(new URL("../../", import.meta.url));
const goldenDir = join(repo, "test/fixtures/golden-json");
const update = process.env.UPDATE_GOLDEN === "1";
const work = mkdtempSync(join(tmpdir(), "deliverlens-golden-"));
const demoDb = join(work, "demo.duckdb");
const demoOut = join(work, "demo");
const eventsDb = join(work, "events.duckdb");
const fixtures = join(repo, "test/fixtures");
const CS01 =
  "550 5.7.1 [CS01] Message rejected due to local policy. Please visit https://support.apple.com/en-us/HT204137";

let dns: TestDnsServer;
before(async () => {
  dns = await startDnsServer(auditZones(await loadBlocklists()));
});
after(async () => {
  dns.close();
  rmSync(work, { recursive: true, force: true });
});

/**
 * Keys whose values are clocks or durations, and the store's schema version (it moves with every
 * migration of any feature; the JSON shape does not): replaced by their type.
 */
const VOLATILE = /^(generatedAt|elapsed\w*|duration\w*|\w*Ms|ms|seconds|\w*PerSecond|storeSchema)$/;

function normaliseText(text: string): string {
  return text
    .split(work)
    .join("<tmp>")
    .split(repo)
    .join("<repo>/")
    .replace(/udp:\/\/127\.0\.0\.1:\d+/g, "udp://127.0.0.1:<port>")
    .replace(/Generated \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, "Generated <time>");
}

function normaliseJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normaliseJson);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      out[key] = VOLATILE.test(key) && inner !== null ? `<${typeof inner}>` : normaliseJson(inner);
    }
    return out;
  }
  return typeof value === "string" ? normaliseText(value) : value;
}

function parseOutput(stdout: string): unknown {
  const text = stdout.trim();
  if (text === "") return "";
  try {
    return normaliseJson(JSON.parse(text));
  } catch {
    // --ndjson and CSV: one entry per line.
    return text.split("\n").map((line) => {
      try {
        return normaliseJson(JSON.parse(line));
      } catch {
        return normaliseText(line);
      }
    });
  }
}

/** Runs the command and compares (status, stdout, and any written files) with its golden file. */
async function golden(name: string, args: string[], files: string[] = []): Promise<void> {
  const run = await spawnCli(args);
  const actual = {
    args: args.map(normaliseText),
    status: run.status,
    stdout: parseOutput(run.stdout),
    ...(files.length > 0
      ? {
          files: Object.fromEntries(
            files.map((f) => [normaliseText(f), normaliseText(readFileSync(f, "utf8"))]),
          ),
        }
      : {}),
  };
  const path = join(goldenDir, `${name}.json`);
  const text = `${JSON.stringify(actual, null, 1)}\n`;
  if (update || !existsSync(path)) {
    mkdirSync(goldenDir, { recursive: true });
    writeFileSync(path, text);
    if (!update) assert.fail(`no golden file ${name}.json: written now, review and commit it`);
    return;
  }
  assert.deepEqual(
    actual,
    JSON.parse(readFileSync(path, "utf8")),
    `${name}: output changed (${run.stderr.trim()}). If your issue changes it on purpose, regenerate with ` +
      "UPDATE_GOLDEN=1 node --test test/e2e/golden-json.test.ts and commit the diff on its own, naming the issue.",
  );
}

test("classify --json: a reply, every event fixture, every bounce email, --all, --ndjson", async () => {
  await golden("classify-text", ["classify", "--json", "--text", CS01]);
  await golden("classify-events", ["classify", "--json", join(fixtures, "events")]);
  await golden("classify-events-all", ["classify", "--all", "--json", join(fixtures, "events")]);
  await golden("classify-bounce-email", ["classify", "--json", join(fixtures, "bounce-email")]);
  await golden("classify-ndjson-sendgrid", [
    "classify",
    "--ndjson",
    "--format",
    "sendgrid",
    join(fixtures, "events/sendgrid-01.json"),
  ]);
  await golden("classify-missing", ["classify", "--json", join(work, "no-such-file")]);
  await golden("formats", ["formats", "--json"]);
});

test("ingest and quarantine --json on the event fixtures", async () => {
  await golden("ingest-events", ["ingest", "--db", eventsDb, "--json", join(fixtures, "events")]);
  await golden("quarantine-events", ["quarantine", "--db", eventsDb, "--json"]);
  await golden("stats-events", ["stats", "--db", eventsDb, "--json"]);
});

test("demo, stats, hygiene, diagnose, plan on a small generated program", async () => {
  const demoArgs = ["--days", "42", "--recipients", "800", "--seed", "3"];
  await golden("demo", ["demo", "--db", demoDb, "--out", demoOut, ...demoArgs, "--json"]);
  await golden("stats", ["stats", "--db", demoDb, "--json"]);
  await golden("stats-apple", ["stats", "--db", demoDb, "--provider", "apple", "--json"]);
  const suppress = join(work, "suppress.csv");
  await golden("hygiene", ["hygiene", "--db", demoDb, "--json", "--export", suppress], [suppress]);
  const md = join(work, "report.md");
  const segment = join(work, "segment.csv");
  await golden(
    "diagnose",
    [
      "diagnose",
      "--db",
      demoDb,
      "--offline",
      "--json",
      "--messages",
      join(demoOut, "messages"),
      "--md",
      md,
      "--export",
      segment,
    ],
    [md, segment],
  );
  const html = join(work, "report.html");
  const htmlRun = await spawnCli(["diagnose", "--db", demoDb, "--offline", "--html", html]);
  assert.equal(htmlRun.status, 0, htmlRun.stderr);
  assert.match(readFileSync(html, "utf8"), /^<!doctype html>/i);
  await golden("plan", ["plan", "--db", demoDb, "--target", "5000"]);
  await golden("stats-usage-error", ["stats", "--db", demoDb, "--provider", "appel", "--json"]);
});

test("inspect --offline --json on the forensics fixtures", async () => {
  const emls = readdirSync(join(fixtures, "forensics"))
    .filter((f) => f.endsWith(".eml"))
    .sort()
    .map((f) => join(fixtures, "forensics", f));
  await golden("inspect", ["inspect", "--offline", "--json", ...emls]);
});

test("audit --json against the loopback DNS server", async () => {
  await golden("audit-clean", [
    "audit",
    "--resolver",
    dns.url,
    "--domain",
    CLEAN_DOMAIN,
    "--ip",
    CLEAN_IPS.join(","),
    "--dkim-selector",
    "s1",
    "--json",
  ]);
  await golden("audit-broken", [
    "audit",
    "--resolver",
    dns.url,
    "--domain",
    BROKEN_DOMAIN,
    "--ip",
    BROKEN_IP,
    "--dkim-selector",
    "sel512",
    "--json",
    "--fail-on",
    "high",
  ]);
});
