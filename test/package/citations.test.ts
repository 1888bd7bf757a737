import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** Files of the team's private reference folder: a user's clone has none of them, so nothing may cite them. */
const PRIVATE_REFERENCE =
  /shared\/reference|shared\/corpus|providers-and-codes\.md|event-sources-and-landscape\.md|auth-mime-dns\.md|monitoring-seeds-dmarc\.md|style-anchors\.md|sisimai-reasons\.tsv/;

function* files(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else yield path;
  }
}

test("src/, data/, docs/ and the README cite public sources, never the team's reference files", () => {
  const offenders: string[] = [];
  const paths = [
    ...["src", "data", "docs"].flatMap((dir) => [...files(join(ROOT, dir))]),
    join(ROOT, "README.md"),
  ];
  for (const path of paths) {
    readFileSync(path, "utf8")
      .split("\n")
      .forEach((line, index) => {
        if (PRIVATE_REFERENCE.test(line)) offenders.push(`${path.slice(ROOT.length)}:${index + 1}`);
      });
  }
  assert.deepEqual(offenders, []);
});
