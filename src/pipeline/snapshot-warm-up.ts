import { readFileSync } from "node:fs";
import { forgetDecoders } from "../bounce/email/headers.ts";
import { expandInputs } from "../util/walk.ts";
import { classifyWholeFiles } from "./classify-files.ts";
import { chooseFormat } from "./classify-source.ts";

/**
 * The emails the snapshot was warmed with, as Latin-1 text (a snapshot holds strings, not a Buffer's memory):
 * classify's second process warms itself with them again while it waits for its first job (idle-warm-up.ts).
 * Empty outside a snapshot.
 */
export const warmUpSamples: { name: string; text: string }[] = [];

/**
 * Run while a V8 startup snapshot is built (scripts/build-cache.ts): classifies the emails under
 * DELIVERLENS_SNAPSHOT_WARM_UP (the build points it at the repository's own fixtures, never at anything a run
 * will read), so the functions every email needs are compiled already: the snapshot keeps their bytecode. The
 * results are thrown away; the caches keep only what they would after any run, less the decoders, whose native
 * (ICU) state a snapshot cannot hold. The emails themselves are kept (warmUpSamples).
 */
export function warmUpForSnapshot(): void {
  const folder = process.env.DELIVERLENS_SNAPSHOT_WARM_UP;
  if (!folder) return;
  const paths = expandInputs([folder]).files;
  for (const path of paths) {
    const bytes = readFileSync(path);
    if (chooseFormat(bytes, path) === "email")
      warmUpSamples.push({ name: path, text: bytes.toString("latin1") });
  }
  void (async () => {
    for (const all of [false, true]) await classifyWholeFiles(paths, { format: null, all });
    forgetDecoders();
  })();
}
