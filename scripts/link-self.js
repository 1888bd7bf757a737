// `npm ci` does not link a project's own bin, yet `npx deliverlens …` must work from the repo root:
// link node_modules/.bin/deliverlens to bin/deliverlens.js (runs on `prepare`, i.e. only in a checkout).
import { chmodSync, mkdirSync, rmSync, symlinkSync } from "node:fs";

const link = "node_modules/.bin/deliverlens";
mkdirSync("node_modules/.bin", { recursive: true });
rmSync(link, { force: true });
symlinkSync("../../bin/deliverlens.js", link);
chmodSync("bin/deliverlens.js", 0o755);
