import { escapeLine } from "../../report/terminal.ts";
import { startService } from "../../serve/service.ts";
import type { ServeCliConfig } from "../commands/serve.ts";
import { EXIT } from "../exit.ts";

/** SIGTERM/SIGINT: stop intake, drain the spool, exit — within this bound even if the store hangs. */
const STOP_BOUND_MS = 10_000;

/** `deliverlens serve`: runs until SIGTERM or SIGINT; exit 0 after a clean drain, 1 when it could not run. */
export async function runServe(config: ServeCliConfig): Promise<number> {
  const service = await startService({
    ...config,
    log: (line) => process.stderr.write(`deliverlens serve: ${escapeLine(line)}\n`),
  });
  process.stderr.write(
    `deliverlens serve: listening on ${service.url} (store ${escapeLine(config.db)}, ${config.durability}); dashboard ${service.url}/\n`,
  );
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once("SIGTERM", () => resolve("SIGTERM"));
    process.once("SIGINT", () => resolve("SIGINT"));
  });
  process.stderr.write(`deliverlens serve: ${signal}: stopping intake, draining the spool\n`);
  const bound = setTimeout(() => {
    process.stderr.write(
      `deliverlens serve: could not drain within ${STOP_BOUND_MS / 1000} s; the spool keeps the rest for the next start\n`,
    );
    process.exit(EXIT.failed);
  }, STOP_BOUND_MS);
  bound.unref();
  try {
    await service.close();
  } finally {
    clearTimeout(bound);
  }
  const c = service.intake.counters;
  process.stderr.write(
    `deliverlens serve: stopped; ${c.received} records received, ${c.stored} events stored, ${c.duplicates} duplicates, ${c.quarantined} quarantined\n`,
  );
  return EXIT.ok;
}
