import assert from "node:assert/strict";
import { test } from "node:test";
import { buildContext } from "../../src/diagnose/context.ts";
import { diagnoseContext } from "../../src/diagnose/engine.ts";
import { loadFacts } from "../../src/diagnose/load-facts.ts";
import { generateScenario, SCENARIO_CAUSES, type ScenarioSpec } from "../../testkit/scenarios.ts";
import { storeScenario } from "../../testkit/scenarios-store.ts";

/**
 * The reduced accuracy harness: every cause once at medium strength and noise, plus clean programs at
 * low and high noise, ingested straight into DuckDB through the store. bench/diagnose.ts runs the full
 * grid (≥ 200 scenarios) and reports the table.
 */
const SPECS: ScenarioSpec[] = [
  ...SCENARIO_CAUSES.filter((cause) => cause !== "clean").map((cause) => ({
    cause,
    strength: 1,
    noise: 1,
    seed: 11,
  })),
  { cause: "clean", strength: 0, noise: 0, seed: 11 },
  { cause: "clean", strength: 0, noise: 2, seed: 12 },
];

for (const spec of SPECS) {
  const expected = spec.cause === "clean" ? "insufficient-evidence" : spec.cause;
  test(`${spec.cause} (strength ${spec.strength}, noise ${spec.noise}) → ${expected} first`, async () => {
    const scenario = generateScenario({ ...spec, recipients: 2500 });
    const store = await storeScenario(scenario.events);
    try {
      const diagnosis = diagnoseContext(buildContext(await loadFacts(store, "apple")));
      const top = diagnosis.causes[0];
      assert.equal(top.id, expected, diagnosis.causes.map((c) => `${c.id}:${c.confidence}`).join(" "));
      if (expected !== "insufficient-evidence") {
        assert.ok(top.passed && top.evidence.length > 0 && top.actions.length > 0);
        assert.ok(diagnosis.causes.slice(1).every((c) => c.confidence <= top.confidence));
      }
    } finally {
      store.close();
    }
  });
}
