/**
 * The WAL files not yet folded into segments, loaded into in-memory tables behind the view
 * wal_tail. An owner writes one file at a time, so in each epoch only the highest-numbered file
 * can still grow; every other file is final. Final files found by one refresh share one table
 * (a table costs a few MB however few its rows, so one per file would not scale to a backlog of
 * small files); a file that may grow gets a table of its own, rebuilt when it grows. When files
 * are folded into segments their rows leave: a table is dropped when all its files are gone, or
 * rebuilt without them.
 */
import { join } from "node:path";
import type { Conn } from "./duckdb.js";
import { listDir, sizeOf } from "./fs-util.js";
import { COLUMN_LIST, quoteString, tableDdl, walReadSql } from "./schema.js";
import { WAL_DIR, WAL_FILE } from "./wal-writer.js";

export const WAL_VIEW = "wal_tail";

const FILES_PER_READ = 32;

interface Table {
  name: string;
  files: Set<string>;
}

export class WalTail {
  /** file (relative path) -> its table and the size it was loaded at. */
  private readonly files = new Map<string, { table: Table; size: number }>();
  private readonly tables = new Set<Table>();
  private nextTable = 1;
  private viewKey: string | undefined;

  constructor(
    private readonly dataDir: string,
    private readonly conn: Conn,
  ) {}

  async init(): Promise<void> {
    await this.conn.run(tableDdl("wal_empty"));
    await this.refreshView();
  }

  /** Loaded files and the sizes they were loaded at. */
  get loaded(): ReadonlyMap<string, number> {
    return new Map([...this.files].map(([f, v]) => [f, v.size]));
  }

  /** Brings the tables in line with wal/ minus `folded`; `load: false` only removes folded files. */
  async refresh(folded: ReadonlySet<string>, load: boolean): Promise<void> {
    const live = new Map<string, number>();
    const newest = new Map<string, number>(); // epoch -> highest seq
    for (const name of (await listDir(join(this.dataDir, WAL_DIR))).sort()) {
      const match = WAL_FILE.exec(name);
      const rel = `${WAL_DIR}/${name}`;
      if (!match || folded.has(rel)) continue;
      const size = await sizeOf(join(this.dataDir, rel));
      if (size === undefined || size === 0) continue;
      live.set(rel, size);
      newest.set(match[1]!, Math.max(newest.get(match[1]!) ?? 0, Number(match[2])));
    }
    const mayGrow = (rel: string): boolean => {
      const m = WAL_FILE.exec(rel.slice(WAL_DIR.length + 1))!;
      return newest.get(m[1]!) === Number(m[2]);
    };
    const gone = [...this.files.keys()].filter((f) => !live.has(f));
    const changed = load ? [...live].filter(([f, size]) => this.files.has(f) && this.files.get(f)!.size !== size).map(([f]) => f) : [];
    const fresh = load ? [...live.keys()].filter((f) => !this.files.has(f)) : [];
    if (gone.length === 0 && changed.length === 0 && fresh.length === 0) return;

    await this.conn.run("BEGIN TRANSACTION");
    try {
      for (const table of new Set(gone.map((f) => this.files.get(f)!.table))) await this.removeFiles(table, gone);
      // A file that grew was loaded while it could grow, so it normally has a table of its own.
      for (const table of new Set(changed.map((f) => this.files.get(f)!.table))) await this.load(table, [...table.files], live);
      const final = fresh.filter((f) => !mayGrow(f));
      if (final.length > 0) await this.load(this.newTable(), final, live);
      for (const f of fresh.filter(mayGrow)) await this.load(this.newTable(), [f], live);
      await this.conn.run("COMMIT");
    } catch (err) {
      await this.conn.run("ROLLBACK").catch(() => undefined);
      // The in-memory bookkeeping may be ahead of the rolled-back tables: start over next time.
      await this.reset();
      throw err;
    }
    await this.refreshView();
  }

  private newTable(): Table {
    const table = { name: `wal_t${this.nextTable++}`, files: new Set<string>() };
    this.tables.add(table);
    return table;
  }

  private async load(table: Table, files: readonly string[], sizes: ReadonlyMap<string, number>): Promise<void> {
    // _file tells the rows of one file apart, so a shared table can lose one file's rows later.
    // DuckDB's JSON reader needs memory per file it reads at once: a backlog goes in chunks.
    for (let i = 0; i < files.length; i += FILES_PER_READ) {
      const paths = files.slice(i, i + FILES_PER_READ).map((f) => join(this.dataDir, f));
      const create = i === 0 ? `CREATE OR REPLACE TABLE ${table.name} AS` : `INSERT INTO ${table.name}`;
      await this.conn.run(`${create} ${walReadSql(paths, "_file")}`);
    }
    for (const f of files) {
      table.files.add(f);
      this.files.set(f, { table, size: sizes.get(f)! });
    }
  }

  private async removeFiles(table: Table, gone: readonly string[]): Promise<void> {
    for (const f of gone) {
      if (!table.files.has(f)) continue;
      table.files.delete(f);
      this.files.delete(f);
    }
    if (table.files.size === 0) {
      await this.conn.run(`DROP TABLE IF EXISTS ${table.name}`);
      this.tables.delete(table);
      return;
    }
    const keep = [...table.files].map((f) => quoteString(f.slice(WAL_DIR.length + 1))).join(", ");
    await this.conn.run(`CREATE OR REPLACE TABLE ${table.name} AS SELECT * FROM ${table.name} WHERE _file IN (${keep})`);
  }

  private async reset(): Promise<void> {
    for (const t of this.tables) await this.conn.run(`DROP TABLE IF EXISTS ${t.name}`).catch(() => undefined);
    this.tables.clear();
    this.files.clear();
    this.viewKey = undefined;
    await this.refreshView();
  }

  /** Rows of the given loaded files (all by default), as a SELECT. */
  rows(files?: readonly string[]): string {
    const want = files ? new Set(files) : undefined;
    const parts: string[] = [];
    for (const t of this.tables) {
      const mine = [...t.files].filter((f) => !want || want.has(f));
      if (mine.length === 0) continue;
      const filter = mine.length === t.files.size ? "" : ` WHERE _file IN (${mine.map((f) => quoteString(f.slice(WAL_DIR.length + 1))).join(", ")})`;
      parts.push(`SELECT ${COLUMN_LIST} FROM ${t.name}${filter}`);
    }
    return parts.length > 0 ? parts.join(" UNION ALL ") : `SELECT ${COLUMN_LIST} FROM wal_empty`;
  }

  private async refreshView(): Promise<void> {
    const key = [...this.tables].map((t) => `${t.name}:${[...t.files].join(",")}`).join("\n");
    if (key === this.viewKey) return;
    await this.conn.run(`CREATE OR REPLACE VIEW ${WAL_VIEW} AS ${this.rows()}`);
    this.viewKey = key;
  }
}
