/**
 * classifyReply alone: distinct replies per second (every call a cache miss: each reply made unique)
 * and repeated replies per second (the memo), on the provider rules' examples plus the corpus diagnostics.
 *
 *   npx node bench/classify-reply.ts [--rounds N]
 * Targets (per core): >= 20,000 distinct replies/s and >= 500,000 repeated replies/s.
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { classifyReply, type ReplyInput } from "../src/bounce/classify.ts";
import { recordsFromEmail } from "../src/bounce/email/index.ts";
import { PROVIDER_RULES } from "../src/bounce/rules/provider-rules.ts";

const DISTINCT_TARGET = 20_000;
const REPEATED_TARGET = 500_000;
const argRounds = process.argv.indexOf("--rounds");
const rounds = argRounds > 0 ? Number(process.argv[argRounds + 1]) : 20;

const corpus = fileURLToPath(new URL("../test/fixtures/sisimai/eml/", import.meta.url));
const inputs: ReplyInput[] = PROVIDER_RULES.map((rule) => ({
  text: rule.example,
  recipient: rule.exampleRecipient,
}));
for (const name of readdirSync(corpus).sort()) {
  for (const record of recordsFromEmail(readFileSync(`${corpus}${name}`), name).records) {
    inputs.push({ text: record.diagnostic, recipient: record.recipient, remoteMta: record.remoteMta });
  }
}

let started = performance.now();
for (let round = 0; round < rounds; round++) {
  // A per-round suffix makes every text new: this measures the full rule walk.
  for (const input of inputs) classifyReply({ ...input, text: `${input.text} #${round}` });
}
const distinct = (inputs.length * rounds) / ((performance.now() - started) / 1000);

started = performance.now();
for (let round = 0; round < rounds * 10; round++) for (const input of inputs) classifyReply(input);
const repeated = (inputs.length * rounds * 10) / ((performance.now() - started) / 1000);

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
console.log(`replies: ${inputs.length} (rule examples + corpus diagnostics), rounds: ${rounds}`);
console.log(`distinct replies: ${fmt(distinct)}/s (target >= ${fmt(DISTINCT_TARGET)}/s)`);
console.log(`repeated replies: ${fmt(repeated)}/s (target >= ${fmt(REPEATED_TARGET)}/s)`);
const pass = distinct >= DISTINCT_TARGET && repeated >= REPEATED_TARGET;
console.log(`${pass ? "PASS" : "FAIL"}: classifyReply throughput`);
