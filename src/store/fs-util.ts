/** Small durable-file helpers: fsync'd atomic replace, directory fsync, tolerant listing and removal. */
import { mkdir, open, readdir, rename, rm, stat } from "node:fs/promises";
import { dirname } from "node:path";

function code(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

export function isMissing(err: unknown): boolean {
  return code(err) === "ENOENT";
}

/** fsync a directory so a rename or create in it survives a power loss (not possible on Windows). */
export async function fsyncDir(dir: string): Promise<void> {
  if (process.platform === "win32") return;
  const fh = await open(dir, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export async function fsyncFile(path: string): Promise<void> {
  const fh = await open(path, "r+");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Write, fsync, rename over the target, fsync the directory: readers see the old or the new file, never a mix. */
export async function writeFileAtomic(path: string, data: string): Promise<void> {
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  const fh = await open(tmp, "w");
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await renameRetrying(tmp, path);
  await fsyncDir(dirname(path));
}

/** Windows refuses to replace a file another process has open for a moment; retry briefly. */
export async function renameRetrying(from: string, to: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await rename(from, to);
      return;
    } catch (err) {
      const c = code(err);
      if (attempt >= 20 || (c !== "EPERM" && c !== "EBUSY" && c !== "EACCES")) throw err;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

export async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    if (isMissing(err)) return [];
    throw err;
  }
}

/** True when removed or already gone; false when the OS refused (a file still open on Windows). */
export async function removeFile(path: string): Promise<boolean> {
  try {
    await rm(path, { force: true });
    return true;
  } catch {
    return false;
  }
}

export async function sizeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
}

export async function ensureDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
}
