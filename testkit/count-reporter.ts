/**
 * npm test's reporter: node's spec reporter, with the tests each file ran listed before its summary. "fail 0"
 * alone hides a suite that shrinks (review's R133: a runner flag ended files early, 78 tests never ran and the
 * run passed); the list shows which file lost them. It only prints: no count fails the run.
 */
import { relative } from "node:path";
import { Readable } from "node:stream";
import { spec } from "node:test/reporters";

/** What this reporter reads of the runner's events (node:test's reporter stream). */
interface TestEvent {
  type: string;
  data: {
    file?: string;
    nesting?: number;
    message?: string;
    details?: { type?: string };
  };
}

/** Whether an event ends a test (not a suite) of a file: what the runner's `tests` total counts. */
function endsTest(event: TestEvent): boolean {
  return (event.type === "test:pass" || event.type === "test:fail") && event.data.details?.type !== "suite";
}

/** The first line of the run's summary (its own `tests N`, no file's). */
function startsSummary(event: TestEvent): boolean {
  const { data } = event;
  return (
    event.type === "test:diagnostic" &&
    data.nesting === 0 &&
    data.file === undefined &&
    /^tests \d+$/.test(data.message ?? "")
  );
}

/** The lines of the per-file list: a heading, then each file's count and path (relative to the working folder). */
export function countLines(counts: ReadonlyMap<string, number>): string[] {
  let total = 0;
  for (const n of counts.values()) total += n;
  const rows = [...counts]
    .map(([file, n]) => [relative(process.cwd(), file) || file, n] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return [
    `per-file test counts (${rows.length} files, ${total} tests):`,
    ...rows.map(([file, n]) => `${String(n).padStart(5)}  ${file}`),
  ];
}

/** The runner's events, with the per-file list as diagnostics (shown as `ℹ` lines) just before the summary. */
async function* withCounts(source: AsyncIterable<TestEvent>): AsyncGenerator<TestEvent> {
  const counts = new Map<string, number>();
  let listed = false;
  for await (const event of source) {
    if (endsTest(event)) {
      const file = event.data.file ?? "(no file)";
      counts.set(file, (counts.get(file) ?? 0) + 1);
    }
    if (!listed && startsSummary(event)) {
      listed = true;
      for (const message of countLines(counts))
        yield { type: "test:diagnostic", data: { nesting: 0, message } };
    }
    yield event;
  }
}

export default async function* countReporter(source: AsyncIterable<TestEvent>): AsyncGenerator<string> {
  for await (const chunk of Readable.from(withCounts(source)).pipe(new spec())) yield String(chunk);
}
