import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/**
 * Build dist/ once before the suite, exactly as `npm run build` does (type-check, then the esbuild
 * bundle that ships as the bin), so the CLI, stdio and HTTP tests exercise what users run.
 */
export default function setup(): void {
  const script = fileURLToPath(new URL("../scripts/build.mjs", import.meta.url));
  execFileSync(process.execPath, [script], { stdio: "inherit" });
}
