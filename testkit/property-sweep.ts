/**
 * A preload for `bench/property-seeds.ts` (`node --import ./testkit/property-sweep.ts TEST_FILE`): every import of
 * "fast-check" gets testkit/fast-check-sweep.ts instead, which checks each property over many seeds. The
 * wrapper's own import gets the real package, resolved from PROPERTY_SWEEP_TREE when set (the tree under test).
 */
import { registerHooks } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const SWEEP = new URL("./fast-check-sweep.ts", import.meta.url).href;
const tree = process.env.PROPERTY_SWEEP_TREE;

registerHooks({
  resolve(specifier, context, next) {
    if (specifier !== "fast-check") return next(specifier, context);
    if (context.parentURL !== SWEEP) return { url: SWEEP, shortCircuit: true };
    const parentURL = tree === undefined ? context.parentURL : pathToFileURL(join(tree, "package.json")).href;
    return next(specifier, { ...context, parentURL });
  },
});
