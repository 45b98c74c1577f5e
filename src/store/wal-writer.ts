/**
 * The owner's write-ahead log: NDJSON lines appended to wal/<epoch>-<seq>.ndjson and fsync'd
 * before append() resolves. Concurrent appends share one write and one fsync (group commit):
 * while a flush is in flight, new appends queue and go out together in the next one. A file is
 * sealed (never written again) when it reaches `fileBytes`, or after a failed write, whose torn
 * tail must not be followed by more lines.
 */
import { open, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { fsyncDir } from "./fs-util.js";
import { mergeHourly, type HourlyFacts } from "./segment-facts.js";

export const WAL_DIR = "wal";
export const WAL_FILE = /^(\d{8})-(\d{6})\.ndjson$/;

export function walFileName(epoch: number, seq: number): string {
  return `${String(epoch).padStart(8, "0")}-${String(seq).padStart(6, "0")}.ndjson`;
}

interface Pending {
  data: string;
  facts: HourlyFacts;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class WalWriter {
  private queue: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private fh: FileHandle | undefined;
  private file: string | undefined;
  private size = 0;
  private seq = 0;
  private closed = false;
  /** Files this writer has sealed and that have not been rolled yet (relative path -> bytes). */
  readonly sealed = new Map<string, number>();

  /** Facts about the rows of each file; absent for a file with a failed write (its content is uncertain). */
  private readonly facts = new Map<string, HourlyFacts>();

  /** What was appended to a sealed file, or undefined when that is uncertain. */
  factsOf(file: string): HourlyFacts | undefined {
    return this.sealed.has(file) ? this.facts.get(file) : undefined;
  }

  /** Forgets a file once it is rolled. */
  forget(file: string): void {
    this.sealed.delete(file);
    this.facts.delete(file);
  }

  /** Bytes in sealed files not rolled yet. */
  get sealedBytes(): number {
    let n = 0;
    for (const size of this.sealed.values()) n += size;
    return n;
  }

  constructor(
    private readonly dataDir: string,
    private readonly epoch: number,
    private readonly fileBytes: number,
    /** Called after a file is sealed (the owner rolls sealed files). */
    private readonly onSealed: () => void = () => undefined,
  ) {}

  /** The file being written, if any (relative to the data directory). */
  get activeFile(): string | undefined {
    return this.file;
  }

  get activeBytes(): number {
    return this.size;
  }

  /** Resolves once the lines are on disk (fsync'd). `facts` describes the lines' spans. */
  append(data: string, facts: HourlyFacts): Promise<void> {
    if (this.closed) return Promise.reject(new Error("The trace store is closed"));
    return new Promise((resolve, reject) => {
      this.queue.push({ data, facts, resolve, reject });
      this.flushing ??= this.flushLoop();
    });
  }

  private async flushLoop(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        try {
          await this.write(Buffer.from(batch.map((p) => p.data).join(""), "utf8"));
          const facts = this.facts.get(this.file!);
          if (facts) for (const p of batch) mergeHourly(facts, p.facts);
          for (const p of batch) p.resolve();
        } catch (err) {
          if (this.file) this.facts.delete(this.file);
          await this.sealFile();
          for (const p of batch) p.reject(err);
        }
        if (this.size >= this.fileBytes) await this.sealFile();
      }
    } finally {
      this.flushing = undefined;
    }
  }

  private async write(buf: Buffer): Promise<void> {
    const fh = await this.ensureFile();
    let offset = 0;
    while (offset < buf.length) {
      const { bytesWritten } = await fh.write(buf, offset, buf.length - offset);
      offset += bytesWritten;
    }
    this.size += buf.length;
    await fh.datasync();
  }

  private async ensureFile(): Promise<FileHandle> {
    if (this.fh) return this.fh;
    this.seq += 1;
    const name = walFileName(this.epoch, this.seq);
    const fh = await open(join(this.dataDir, WAL_DIR, name), "ax");
    await fsyncDir(join(this.dataDir, WAL_DIR));
    this.fh = fh;
    this.file = `${WAL_DIR}/${name}`;
    this.facts.set(this.file, new Map());
    this.size = 0;
    return fh;
  }

  private async sealFile(): Promise<void> {
    const fh = this.fh;
    if (this.file) this.sealed.set(this.file, this.size);
    this.fh = undefined;
    this.file = undefined;
    this.size = 0;
    await fh?.close().catch(() => undefined);
    if (fh) this.onSealed();
  }

  /** Waits for queued appends, then seals the active file so every written line can be rolled. */
  async seal(): Promise<void> {
    while (this.flushing) await this.flushing;
    await this.sealFile();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.seal();
  }
}
