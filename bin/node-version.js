// deliverlens runs its TypeScript source by Node's type stripping and mailauth 7 needs Node >= 22.19.
// This file must stay plain JavaScript that old Node versions can load: it decides what to do on them.
import { builtin } from "./builtin.js";

const { existsSync } = await builtin("node:fs");
const { fileURLToPath } = await builtin("node:url");

export const MINIMUM_NODE = [22, 19];

/** True when `version` (e.g. "v20.20.2") can run deliverlens. */
export function nodeIsRecentEnough(version) {
  const [major, minor] = version.replace(/^v/, "").split(".").map(Number);
  const [needMajor, needMinor] = MINIMUM_NODE;
  return major > needMajor || (major === needMajor && minor >= needMinor);
}

/** The message for a Node version deliverlens cannot run on (when no pinned Node was found either), or null. */
export function nodeTooOld(version) {
  if (nodeIsRecentEnough(version)) return null;
  const [needMajor, needMinor] = MINIMUM_NODE;
  return (
    `deliverlens: needs Node.js >= ${needMajor}.${needMinor}; this is ${version}, and no pinned Node was found.\n` +
    "In a clone of the repository run `npm ci` first: it installs the Node 24 pinned in devDependencies, which this command then uses by itself.\n"
  );
}

/**
 * The Node the repository pins (the `node` devDependency installs its binary under node_modules/node/bin),
 * looked up next to this package: in a clone, or in a linked (`npm link`) checkout.
 */
export function pinnedNode(binDir = new URL(".", import.meta.url)) {
  const candidate = fileURLToPath(new URL("../node_modules/node/bin/node", binDir));
  return existsSync(candidate) ? candidate : null;
}
