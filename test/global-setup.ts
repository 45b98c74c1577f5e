import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";

/** Build dist/ once before the suite: CLI and stdio tests spawn the real binary. */
export default function setup(): void {
  const require = createRequire(import.meta.url);
  const tsc = require.resolve("typescript/bin/tsc");
  execFileSync(process.execPath, [tsc, "-p", "tsconfig.json"], { stdio: "inherit" });
}
