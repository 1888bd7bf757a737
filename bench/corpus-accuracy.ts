/**
 * Agreement of `classify` on bounce emails with Sisimai's expected reasons (test/fixtures/sisimai).
 * Run: npx node bench/corpus-accuracy.ts [--quiet]   (prints agreement, confusion table, disagreements)
 */
import { measureCorpus } from "../testkit/bounce-corpus.ts";

const TARGET = 97;
const quiet = process.argv.includes("--quiet");
const result = measureCorpus();
const percent = (part: number, whole: number) => (whole === 0 ? 0 : (100 * part) / whole);
const agreement = percent(result.agreed, result.counted);

console.log(`messages: ${result.messages}`);
console.log(
  `reason agreement: ${result.agreed}/${result.counted} = ${agreement.toFixed(2)} % (rows whose expected reason is not onhold/undefined)`,
);
console.log(`records missing: ${result.missingRecords}, extra records: ${result.extraRecords}`);
console.log(
  `status agreement (real codes only): ${result.status.agreed}/${result.status.checked} = ${percent(result.status.agreed, result.status.checked).toFixed(2)} %`,
);
console.log(
  result.suppress.checked === 0
    ? "suppressRecipient vs hardbounce: not measured (classifyReply is still the stub)"
    : `suppressRecipient vs hardbounce: ${result.suppress.agreed}/${result.suppress.checked} = ${percent(result.suppress.agreed, result.suppress.checked).toFixed(2)} %`,
);

console.log("\nconfusion (expected → got: count)");
for (const [expected, byGot] of [...result.confusion].sort((a, b) => a[0].localeCompare(b[0]))) {
  const cells = [...byGot].sort((a, b) => b[1] - a[1]).map(([got, count]) => `${got}:${count}`);
  const total = [...byGot.values()].reduce((sum, count) => sum + count, 0);
  console.log(`  ${expected.padEnd(16)} ${String(total).padStart(4)}  ${cells.join("  ")}`);
}

if (!quiet) {
  console.log(`\ndisagreements (${result.disagreements.length})`);
  for (const d of result.disagreements) {
    console.log(
      `  ${d.file}#${d.position} expected ${d.expected}, got ${d.got} (${d.rule}): ${JSON.stringify(d.diagnostic)}`,
    );
  }
  console.log(`\nstatus mismatches (${result.status.mismatches.length})`);
  for (const line of result.status.mismatches) console.log(`  ${line}`);
  console.log(`\nsuppressRecipient mismatches (${result.suppress.mismatches.length})`);
  for (const line of result.suppress.mismatches) console.log(`  ${line}`);
}
console.log(
  `\n${agreement >= TARGET ? "PASS" : "FAIL"}: reason agreement ${agreement.toFixed(2)} % (target ≥ ${TARGET} %)`,
);
