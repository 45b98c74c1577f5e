import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { createRequire } from "node:module";

/** Build dist/ once before the suite: CLI and stdio tests spawn the real binary. */
export default function setup(): void {
  const require = createRequire(import.meta.url);
  // typescript does not export its bin; locate it through package.json.
  const tsc = join(dirname(require.resolve("typescript/package.json")), "bin", "tsc");
  execFileSync(process.execPath, [tsc, "-p", "tsconfig.json"], { stdio: "inherit" });
}
