/**
 * What a command promises a script — its exit codes and the keys of its `--json` — is written down where a user
 * looks (README.md, docs/): every command and subcommand has a usage line, every command with `--json` shows it
 * there, the exit codes of the README's table are those src/cli/exit.ts and `--help` give, and every key the
 * golden outputs hold (test/fixtures/golden-json/, which test/e2e/golden-json.test.ts keeps equal to what each
 * command prints) is named in its command's documentation. `--json` keys and exit codes are added, never renamed
 * or removed: a new one fails here until it is documented. No process runs: the golden files stand for the output.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { EXIT } from "../../src/cli/exit.ts";
import { createProgram } from "../../src/cli/program.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const read = (path: string) => readFileSync(join(root, path), "utf8");
const golden = join(root, "test/fixtures/golden-json");

/**
 * The section of `markdown` that starts at the heading line beginning with `heading` and runs to the next heading
 * of its level or above.
 */
export function section(markdown: string, heading: string): string {
  const lines = markdown.split("\n");
  const start = lines.findIndex((line) => line.startsWith(heading));
  assert.ok(start >= 0, `no heading "${heading}"`);
  const level = /^#+/.exec(lines[start])?.[0].length ?? 0;
  assert.ok(level > 0, `"${heading}" is not a heading`);
  let end = start + 1;
  while (
    end < lines.length &&
    !(/^#+ /.test(lines[end]) && (/^#+/.exec(lines[end])?.[0].length ?? 0) <= level)
  )
    end++;
  return lines.slice(start, end).join("\n");
}

/** The names written as code in `markdown`: in `inline code` and in fenced blocks. */
export function codeNames(markdown: string): Set<string> {
  const code = [...markdown.matchAll(/```[^\n]*\n[\s\S]*?```|`[^`\n]+`/g)].map((m) => m[0]).join(" ");
  return new Set(code.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []);
}

/** Where each command's `--json` is described: [file, heading] sections. */
const JSON_DOCS: Record<string, [string, string][]> = {
  classify: [
    ["docs/CLASSIFICATION.md", "## Using it"],
    ["README.md", "### classify"],
  ],
  formats: [["README.md", "### classify"]],
  ingest: [
    ["README.md", "### ingest, stats"],
    ["docs/STORE.md", "## JSON outputs"],
  ],
  quarantine: [
    ["README.md", "### ingest, stats"],
    ["docs/STORE.md", "## JSON outputs"],
  ],
  stats: [["docs/STORE.md", "## JSON outputs"]],
  // demo prints the stats of the store it made.
  demo: [["docs/STORE.md", "## JSON outputs"]],
  hygiene: [["docs/STORE.md", "## JSON outputs"]],
  diagnose: [["docs/DIAGNOSE.md", "## JSON schema"]],
  inspect: [["docs/INSPECT.md", "# "]],
  audit: [["docs/AUDIT.md", "## JSON"]],
};

interface Golden {
  args: string[];
  status: number;
  stdout: unknown;
}

const goldens: [string, Golden][] = readdirSync(golden)
  .filter((name) => name.endsWith(".json"))
  .sort()
  .map((name) => [name, JSON.parse(readFileSync(join(golden, name), "utf8")) as Golden]);

/**
 * Every usage line (`deliverlens NAME …` in a fenced block) of the README and docs/, with the lines that continue
 * it (indented, or after a trailing backslash) joined to it.
 */
function usageLines(): string[] {
  const docs = ["README.md", ...readdirSync(join(root, "docs")).map((name) => `docs/${name}`)];
  const usages: string[] = [];
  for (const path of docs)
    for (const block of read(path).matchAll(/```[^\n]*\n([\s\S]*?)```/g)) {
      let open = false;
      for (const line of block[1].split("\n")) {
        if (/^(\$ )?deliverlens [a-z]/.test(line)) {
          usages.push(line);
          open = true;
        } else if (open && /^\s+\S/.test(line)) usages[usages.length - 1] += ` ${line.trim()}`;
        else open = false;
      }
    }
  return usages;
}

test("every command and subcommand has a usage line, and one with --json shows it there", () => {
  const lines = usageLines();
  const missing: string[] = [];
  for (const command of createProgram().commands) {
    const names =
      command.commands.length > 0
        ? command.commands.map((sub) => [`${command.name()} ${sub.name()}`, sub] as const)
        : [[command.name(), command] as const];
    for (const [name, cmd] of names) {
      const usage = lines.filter((line) => new RegExp(`^(\\$ )?deliverlens ${name}(\\s|$)`).test(line));
      if (usage.length === 0) missing.push(`${name}: no usage line`);
      else if (
        cmd.options.some((option) => option.long === "--json") &&
        !usage.some((l) => l.includes("--json"))
      )
        missing.push(`${name}: its usage line does not show --json`);
    }
  }
  assert.deepEqual(missing, []);
});

test("the README's exit codes are src/cli/exit.ts's and --help's", () => {
  const table = section(read("README.md"), "## Commands");
  const documented = [...table.matchAll(/^\| (\d) \|/gm)].map((m) => Number(m[1]));
  assert.deepEqual(documented, Object.values(EXIT).sort());
  let help = "";
  const program = createProgram().configureOutput({
    writeOut: (text) => {
      help += text;
    },
  });
  program.outputHelp();
  const helped = [...help.matchAll(/^ {2}(\d) {2}/gm)].map((m) => Number(m[1]));
  assert.deepEqual(helped, documented, help);
});

test("each golden run exits with a documented code: 3 only for audit --fail-on, 2 for a bad value", () => {
  const codes = new Set<number>(Object.values(EXIT));
  for (const [name, run] of goldens) {
    assert.ok(codes.has(run.status), `${name}: exit ${run.status}`);
    if (run.status === EXIT.findingsAtThreshold)
      assert.ok(run.args[0] === "audit" && run.args.includes("--fail-on"), name);
  }
  const statuses = new Set(goldens.map(([, run]) => run.status));
  assert.deepEqual([...statuses].sort(), [0, 1, 2, 3], "the golden runs show every exit code");
});

test("every key of every command's --json output (a record's, for the commands that print records) is documented", () => {
  const undocumented: string[] = [];
  let checked = 0;
  for (const [name, run] of goldens) {
    const command = run.args[0];
    if (!run.args.includes("--json") && !run.args.includes("--ndjson")) continue;
    const docs = JSON_DOCS[command];
    assert.ok(docs, `${name}: where is ${command}'s --json documented? (JSON_DOCS)`);
    const names = new Set(docs.flatMap(([path, heading]) => [...codeNames(section(read(path), heading))]));
    const objects = (Array.isArray(run.stdout) ? run.stdout : [run.stdout]).filter(
      (value): value is Record<string, unknown> => value !== null && typeof value === "object",
    );
    const keys = new Set(objects.flatMap((object) => Object.keys(object)));
    // formats lists its formats: each one's keys too.
    if (command === "formats")
      for (const format of (run.stdout as { formats: object[] }).formats)
        for (const key of Object.keys(format)) keys.add(key);
    for (const key of keys) {
      checked++;
      if (!names.has(key)) undocumented.push(`${command} (${name}): ${key}`);
    }
  }
  assert.ok(checked >= 100, `${checked} keys checked`);
  assert.deepEqual(undocumented, []);
});

test("section and codeNames read what they say", () => {
  const md = "# a\n## b\nx `one` two\n```\nthree: { four }\n```\n### c\n`five`\n## d\n`six`\n";
  assert.equal(section(md, "## b"), "## b\nx `one` two\n```\nthree: { four }\n```\n### c\n`five`");
  assert.deepEqual([...codeNames(section(md, "## b"))].sort(), ["five", "four", "one", "three"]);
  assert.throws(() => section(md, "## none"));
});
