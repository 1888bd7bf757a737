import { forgetDecoders } from "../bounce/email/headers.ts";
import { expandInputs } from "../util/walk.ts";
import { classifyWholeFiles } from "./classify-files.ts";

/**
 * Run while a V8 startup snapshot is built (scripts/build-cache.ts): classifies the emails under
 * DELIVERLENS_SNAPSHOT_WARM_UP (the build points it at the repository's own fixtures, never at anything a run
 * will read), so the functions every email needs are compiled already: the snapshot keeps their bytecode. The
 * results are thrown away; the caches keep only what they would after any run, less the decoders, whose native
 * (ICU) state a snapshot cannot hold.
 */
export function warmUpForSnapshot(): void {
  const folder = process.env.DELIVERLENS_SNAPSHOT_WARM_UP;
  if (!folder) return;
  const paths = expandInputs([folder]).files;
  void (async () => {
    for (const all of [false, true]) await classifyWholeFiles(paths, { format: null, all });
    forgetDecoders();
  })();
}
