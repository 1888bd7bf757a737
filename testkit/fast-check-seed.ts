/**
 * Loaded before every test file (`node --test --import`): fast-check properties run from one fixed seed,
 * so CI sees the same cases on every run and a failure can be reproduced. Set FAST_CHECK_SEED to explore
 * other cases locally (a failure prints its seed and counterexample).
 */
import fc from "fast-check";

fc.configureGlobal({ seed: Number(process.env.FAST_CHECK_SEED ?? 20261202) });
