/**
 * Who owns (writes) a store: numbered epochs under owner/. The current owner is the highest epoch
 * directory; it holds a lock file with its pid and host and touches a heartbeat file. A process
 * takes over by creating the next epoch directory — mkdir is atomic, so of several contenders
 * exactly one wins — and only when the current epoch is free: released on exit, its pid gone
 * (same host; a kill -9 is detected at once), or its heartbeat older than `staleMs` (a reused
 * pid, another host, a wedged process). An owner that finds a higher epoch has been superseded
 * and must stop writing (fencing).
 */
import { hostname } from "node:os";
import { mkdir, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { isMissing, listDir, writeFileAtomic } from "./fs-util.js";

export const OWNER_DIR = "owner";
const LOCK_FILE = "lock.json";
const HEARTBEAT_FILE = "heartbeat";
const RELEASED_FILE = "released";

export interface OwnerInfo {
  pid: number;
  host: string;
  startedAt: string;
}

const pad = (n: number): string => String(n).padStart(8, "0");

async function epochs(root: string): Promise<number[]> {
  return (await listDir(root))
    .filter((n) => /^\d{8}$/.test(n))
    .map(Number)
    .sort((a, b) => a - b);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function mtimeMs(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mtimeMs;
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
}

/**
 * How a previous owner ended: "released" (closed) and "dead" (its pid is gone) are final; "stale"
 * (no heartbeat for staleMs) may be a wedged process that still writes for a moment.
 */
export type Takeover = "first" | "released" | "dead" | "stale";

/** Whether the owner of an epoch directory may still be writing; if not, how it ended. */
async function epochState(dir: string, staleMs: number): Promise<"alive" | Exclude<Takeover, "first">> {
  if ((await mtimeMs(join(dir, RELEASED_FILE))) !== undefined) return "released";
  let info: OwnerInfo | undefined;
  try {
    info = JSON.parse(await readFile(join(dir, LOCK_FILE), "utf8")) as OwnerInfo;
  } catch {
    info = undefined; // being created right now, or torn: judge by the clock alone
  }
  if (info && info.host === hostname() && !pidAlive(info.pid)) return "dead";
  const beat = (await mtimeMs(join(dir, HEARTBEAT_FILE))) ?? (await mtimeMs(dir));
  return beat !== undefined && Date.now() - beat < staleMs ? "alive" : "stale";
}

export class Ownership {
  private constructor(
    private readonly root: string,
    readonly epoch: number,
    /** How the previous owner ended. */
    readonly takeover: Takeover,
  ) {}

  private get dir(): string {
    return join(this.root, pad(this.epoch));
  }

  /** Takes ownership when the current epoch is free; undefined when someone else owns the store. */
  static async tryAcquire(dataDir: string, staleMs: number): Promise<Ownership | undefined> {
    const root = join(dataDir, OWNER_DIR);
    await mkdir(root, { recursive: true });
    const known = await epochs(root);
    const current = known.at(-1);
    const state = current === undefined ? "first" : await epochState(join(root, pad(current)), staleMs);
    if (state === "alive") return undefined;
    const next = (current ?? 0) + 1;
    try {
      await mkdir(join(root, pad(next)));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EEXIST") return undefined;
      throw err;
    }
    const owner = new Ownership(root, next, state);
    await writeFile(join(owner.dir, HEARTBEAT_FILE), "");
    const info: OwnerInfo = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
    await writeFileAtomic(join(owner.dir, LOCK_FILE), `${JSON.stringify(info)}\n`);
    // Older epochs are history now; their owners, if somehow alive, see a higher epoch and stop.
    for (const old of known) await rm(join(root, pad(old)), { recursive: true, force: true }).catch(() => undefined);
    return owner;
  }

  /** Touches the heartbeat; false when a higher epoch exists (this process was superseded). */
  async heartbeat(): Promise<boolean> {
    if (!(await this.stillOwner())) return false;
    const now = new Date();
    try {
      await utimes(join(this.dir, HEARTBEAT_FILE), now, now);
    } catch (err) {
      if (isMissing(err)) return false;
      throw err;
    }
    return true;
  }

  async stillOwner(): Promise<boolean> {
    const known = await epochs(this.root);
    return known.at(-1) === this.epoch && (await mtimeMs(join(this.dir, RELEASED_FILE))) === undefined;
  }

  /** Lets the next process take over at once. */
  async release(): Promise<void> {
    await writeFile(join(this.dir, RELEASED_FILE), new Date().toISOString()).catch(() => undefined);
  }
}
