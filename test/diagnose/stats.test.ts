import assert from "node:assert/strict";
import { test } from "node:test";
import {
  crudeRatio,
  fisherCombined,
  fisherGreater,
  logGamma,
  mantelHaenszel,
  median,
  normalUpperTail,
  poissonGreater,
  quantile,
  rateRatio,
  ratioGreaterP,
  scaledMad,
} from "../../src/diagnose/stats.ts";

const close = (actual: number, expected: number, tolerance: number) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} not within ${tolerance} of ${expected}`);

test("logGamma matches factorials", () => {
  close(logGamma(1), 0, 1e-12);
  close(logGamma(6), Math.log(120), 1e-10);
  close(logGamma(101), 363.73937555556347, 1e-8);
});

test("Fisher's exact test, one-sided, matches textbook values", () => {
  // Lady tasting tea: 3 of 4 right in the first row, 1 of 4 in the second → p = 17/70.
  close(fisherGreater({ a: 3, n1: 4, b: 1, n2: 4 }), 17 / 70, 1e-12);
  close(fisherGreater({ a: 4, n1: 4, b: 0, n2: 4 }), 1 / 70, 1e-12);
  assert.equal(fisherGreater({ a: 0, n1: 10, b: 0, n2: 10 }), 1);
  // Large tables stay finite and tiny when the difference is huge.
  const p = fisherGreater({ a: 500, n1: 10_000, b: 50, n2: 100_000 });
  assert.ok(p > 0 && p < 1e-100);
});

test("rate ratio with a 95 % interval on the log scale", () => {
  const rr = rateRatio({ a: 20, n1: 1000, b: 10, n2: 1000 });
  close(rr.ratio, 2, 1e-12);
  assert.ok(rr.low < 2 && rr.low > 0.9 && rr.high > 3.9 && rr.high < 4.5, JSON.stringify(rr));
  const empty = rateRatio({ a: 5, n1: 100, b: 0, n2: 100 });
  assert.ok(Number.isFinite(empty.ratio) && empty.ratio > 1, "Haldane correction keeps it finite");
});

test("Mantel-Haenszel removes confounding by strata", () => {
  // Within each stratum the segment has the same rate as the rest; crude pooling would show a ratio ≠ 1.
  const strata = [
    { a: 50, n1: 1000, b: 5, n2: 100 },
    { a: 1, n1: 100, b: 10, n2: 1000 },
  ];
  const crude = rateRatio({ a: 51, n1: 1100, b: 15, n2: 1100 });
  assert.ok(crude.ratio > 3);
  const mh = mantelHaenszel(strata);
  close(mh.ratio, 1, 1e-9);
  assert.ok(mh.p > 0.3);
  const single = mantelHaenszel([{ a: 30, n1: 1000, b: 10, n2: 1000 }]);
  close(single.ratio, 3, 1e-9);
  assert.ok(single.p < 0.01);
});

test("crude ratio carries Fisher's p", () => {
  const r = crudeRatio({ a: 3, n1: 4, b: 1, n2: 4 });
  close(r.p, 17 / 70, 1e-12);
  assert.deepEqual(r.crude, { a: 3, n1: 4, b: 1, n2: 4 });
});

test("normal and Poisson tails", () => {
  close(normalUpperTail(1.959963984540054), 0.025, 1e-6);
  close(normalUpperTail(-1.959963984540054), 0.975, 1e-6);
  close(poissonGreater(1, 1), 1 - Math.exp(-1), 1e-12);
  close(poissonGreater(3, 2), 1 - Math.exp(-2) * (1 + 2 + 2), 1e-12);
  assert.equal(poissonGreater(0, 5), 1);
});

test("robust location and scale", () => {
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  close(scaledMad([1, 2, 3, 4, 100]), 1.4826, 1e-12);
  assert.equal(quantile([1, 2, 3, 4, 5], 0.5), 3);
  close(quantile([0, 10], 0.9), 9, 1e-12);
});

test("Fisher's method combines independent one-sided p-values (χ² with 2k degrees of freedom)", () => {
  assert.ok(Math.abs(fisherCombined([0.05]) - 0.05) < 1e-12);
  // −2 ln(0.01 · 0.01) = 18.42 on 4 degrees of freedom: p = e^−9.21 (1 + 9.21) = 1.02e-3.
  assert.ok(Math.abs(fisherCombined([0.01, 0.01]) - 1.0203e-3) < 1e-6, String(fisherCombined([0.01, 0.01])));
  assert.equal(fisherCombined([]), 1);
  assert.ok(fisherCombined([0.5, 0.5, 0.5]) > 0.5);
});

test("a rate ratio's one-sided p follows from its interval", () => {
  const r = rateRatio({ a: 40, n1: 1000, b: 20, n2: 1000 });
  const p = ratioGreaterP(r);
  assert.ok(p > 0.001 && p < 0.01, String(p));
  assert.ok(ratioGreaterP(rateRatio({ a: 20, n1: 1000, b: 40, n2: 1000 })) > 0.99);
});
