// deliverlens runs its TypeScript source by Node's type stripping and mailauth 7 needs Node >= 22.19:
// on an older Node say so, instead of failing on the first `.ts` import.
export const MINIMUM_NODE = [22, 19];

/** The message for a Node version deliverlens cannot run on, or null when it can. */
export function nodeTooOld(version) {
  const [major, minor] = version.replace(/^v/, "").split(".").map(Number);
  const [needMajor, needMinor] = MINIMUM_NODE;
  if (major > needMajor || (major === needMajor && minor >= needMinor)) return null;
  return (
    `deliverlens: needs Node.js >= ${needMajor}.${needMinor}; this is ${version}.\n` +
    "In a clone of the repository run it as `npx deliverlens …` (npm runs the Node 24 pinned in devDependencies).\n"
  );
}
