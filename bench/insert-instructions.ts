/**
 * `node bench/insert-instructions.ts FILE [--format F] [--runs N] [--sql FILE.sql] [--recipe hash|md5]`: how many CPU instructions
 * DuckDB executes for the ingest's INSERT of an NDJSON file (the field table's SQL as `ingest` runs it, into a
 * fresh store, one DuckDB thread), counted by valgrind's callgrind and printed in millions.
 *
 * Why: on the shared 2-core machine the load is often 10–20, so wall or CPU seconds of an ingest vary by ±30 %,
 * more than most changes to the insert's SQL save. Instructions do not depend on the load. Only DuckDB's task
 * execution is counted (`--toggle-collect` on `Executor::ExecuteTask`): node's start-up, JIT and garbage
 * collection, which made whole-process counts vary by ±250 M at 30k events, are left out; what is left repeats
 * within ~1 %. Use 100k events (a few minutes under callgrind) and compare variants with `--sql`: a statement
 * edited by hand (`$path` and `$file_id` are bound), e.g. the printed one (`--print`) with an expression removed.
 * The transaction's COMMIT, where DuckDB compresses and writes the row groups, is counted: it runs as a task
 * too (PhysicalTransaction). Its share (`DuckTransactionManager::CommitTransaction`, inclusive, read from the
 * profile by callgrind_annotate) is printed as well, since a change of stored columns moves cost into it.
 * Needs valgrind (Debian package).
 */
import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { insertFlaggedSql } from "../src/analytics/ingest/finalize.ts";
import { firstRecordEnveloped } from "../src/analytics/ingest/ingest.ts";
import type { FormatName } from "../src/events/formats.ts";
import { eventSource } from "../src/events/index.ts";
import { fieldTableSql, Store } from "../src/store/index.ts";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    format: { type: "string", default: "sendgrid" },
    runs: { type: "string", default: "1" },
    sql: { type: "string" },
    print: { type: "boolean", default: false },
    /** The store's event key recipe (EventKeyRecipe): `hash`, a new store's, or `md5`, one from before schema 17. */
    recipe: { type: "string", default: "hash" },
    /** Internal: the process callgrind measures. */
    child: { type: "boolean", default: false },
  },
});
const [file] = positionals;
if (!file)
  throw new Error("usage: node bench/insert-instructions.ts FILE [--format F] [--runs N] [--sql FILE.sql]");

/**
 * The INSERT `ingest` runs first for an NDJSON file of this format on a fresh store (nothing stored before):
 * for a file whose first record is in the table's envelope (SES in SNS), the reader of enveloped records.
 */
function insertSql(format: string): string {
  const table = eventSource(format as FormatName)?.table;
  if (!table || table.shape === "csv") throw new Error(`${format}: no NDJSON field table`);
  const fd = openSync(file, "r");
  const bytes = Buffer.alloc(1 << 20);
  const head = bytes
    .subarray(0, readSync(fd, bytes, 0, bytes.length, 0))
    .toString("utf8")
    .trimStart();
  closeSync(fd);
  const enveloped = table.envelope !== undefined && firstRecordEnveloped(head, table.envelope);
  return insertFlaggedSql(
    fieldTableSql(table, { reader: "ndjson", compression: "none", enveloped }),
    values.recipe === "md5" ? "md5" : "hash",
    false,
    false,
    false,
    false,
    null,
    table.headerMessageId === true,
  );
}

const sql = values.sql ? readFileSync(values.sql, "utf8") : insertSql(values.format);

if (values.print) {
  process.stdout.write(`${sql}\n`);
} else if (values.child) {
  const dir = mkdtempSync(join(tmpdir(), "deliverlens-insert-instructions-"));
  const store = await Store.open(join(dir, "store.duckdb"), { threads: 1 });
  try {
    await store.transaction(() =>
      store.run(sql, {
        path: file,
        file_id: 1,
        ...(sql.includes("$tz") ? { tz: "UTC" } : {}),
        // insertFlagged's bound on a record's time (the ingest's clock plus a day): no row is past it.
        ...(sql.includes("$not_after") ? { not_after: "9999-12-31 00:00:00" } : {}),
      }),
    );
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
} else {
  const counts: { total: number; commit: number }[] = [];
  const profiles = mkdtempSync(join(tmpdir(), "deliverlens-insert-instructions-"));
  try {
    for (let run = 0; run < Number(values.runs); run++) {
      const profile = join(profiles, `callgrind.${run}`);
      const args = [
        "--tool=callgrind",
        "--collect-atstart=no",
        "--toggle-collect=duckdb::Executor::ExecuteTask*",
        `--callgrind-out-file=${profile}`,
        process.execPath,
        import.meta.filename,
        file,
        "--child",
        ...(values.sql ? ["--sql", values.sql] : ["--format", values.format]),
      ];
      const child = spawnSync("valgrind", args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
      const collected = /Collected : (\d+)/.exec(child.stderr ?? "");
      if (child.status !== 0 || !collected) {
        throw new Error(
          `valgrind failed (${child.error?.message ?? `exit ${child.status}`}): ${child.stderr?.slice(-2000)}`,
        );
      }
      counts.push({ total: Number(collected[1]) / 1e6, commit: commitInstructions(profile) / 1e6 });
    }
  } finally {
    rmSync(profiles, { recursive: true, force: true });
  }
  const what = values.sql ?? `${values.format}'s insert`;
  const m = (n: number) => `${n.toFixed(1)} M`;
  process.stdout.write(
    `${what} on ${file}: ${counts.map((c) => m(c.total)).join(", ")} instructions in DuckDB's tasks (1 thread); ` +
      `of which the commit ${counts.map((c) => m(c.commit)).join(", ")}\n`,
  );
}

/** The commits' inclusive instructions in a callgrind profile (0 when none ran while collecting). */
function commitInstructions(profile: string): number {
  const annotate = spawnSync("callgrind_annotate", ["--inclusive=yes", profile], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (annotate.status !== 0) throw new Error(`callgrind_annotate failed: ${annotate.stderr}`);
  const line = annotate.stdout
    .split("\n")
    .find((l) => l.includes("duckdb::DuckTransactionManager::CommitTransaction("));
  return line ? Number(line.trim().split(" ")[0].replaceAll(",", "")) : 0;
}
