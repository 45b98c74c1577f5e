/**
 * Spill space for DuckDB, one directory per process under <dataDir>/tmp (two processes spilling
 * into one directory would collide on file names). Directories left by processes that are gone
 * are removed when another process opens the store.
 */
import { randomBytes } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { listDir } from "./fs-util.js";

export const TMP_DIR = "tmp";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Creates this process's spill directory (after clearing dead processes' ones) and returns it. */
export async function processTempDir(dataDir: string): Promise<string> {
  const root = join(dataDir, TMP_DIR);
  for (const name of await listDir(root)) {
    const pid = Number(/^(\d+)-/.exec(name)?.[1]);
    if (Number.isInteger(pid) && pid > 0 && !alive(pid)) await rm(join(root, name), { recursive: true, force: true }).catch(() => undefined);
  }
  const dir = join(root, `${process.pid}-${randomBytes(4).toString("hex")}`);
  await mkdir(dir, { recursive: true });
  return dir;
}
