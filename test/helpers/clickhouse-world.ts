/**
 * The ClickHouse world: a real ClickHouse engine (chDB) behind the loopback HTTP shim, with the
 * Collector clickhouseexporter's own tables (its DDL, test/fixtures/clickhouse/) and the dataset
 * loaded as the exporter writes it, through @clickhouse/client. Half the traces are written in the
 * current exporter's spelling (Server, Error) and half in the older one (SPAN_KIND_SERVER,
 * STATUS_CODE_ERROR, the scope in SpanAttributes), so every suite run against it reads both.
 */
import { ClickHouseLogLevel, createClient } from "@clickhouse/client";
import type { Trace } from "../../src/domain/trace.js";
import type { BackendWorld, RunningWorld } from "./backend-world.js";
import { applyExporterSchema, loadTraces } from "./clickhouse-loader.js";
import { startClickHouseShim, type ClickHouseRecordedRequest } from "./clickhouse-shim.js";
import type { ExporterSpelling } from "./clickhouse-exporter-rows.js";

export interface ClickHouseWorldOptions {
  chdbDir: string;
  /** The accepted user name / password pairs (the first is the exporter's). */
  users: ReadonlyArray<{ username: string; password: string }>;
  database?: string;
  /** Which spelling each trace is written in (default: alternating current / legacy). */
  spelling?: (trace: Trace, index: number) => ExporterSpelling;
  /** Unit of the dataset's event timestamps (default "us", the shared dataset's). */
  eventTimeUnit?: "ns" | "us" | "ms";
}

export interface ClickHouseRunningWorld extends RunningWorld {
  requests: ClickHouseRecordedRequest[];
  engineVersion: string;
}

/** A BackendWorld whose running world also says which engine runs it. */
export interface ClickHouseWorld extends BackendWorld {
  start(dataset: Trace[]): Promise<ClickHouseRunningWorld>;
}

export function clickhouseWorld(options: ClickHouseWorldOptions): ClickHouseWorld {
  return {
    kind: "clickhouse",
    async start(dataset: Trace[]): Promise<ClickHouseRunningWorld> {
      const [owner, ...others] = options.users;
      const shim = await startClickHouseShim({ chdbDir: options.chdbDir, username: owner!.username, password: owner!.password, users: others });
      const writer = createClient({ url: shim.url, username: owner!.username, password: owner!.password, log: { level: ClickHouseLogLevel.OFF } });
      try {
        await applyExporterSchema(writer, options.database ? { database: options.database } : {});
        const spelling = options.spelling ?? ((_t: Trace, i: number) => (i % 2 === 0 ? "current" : "legacy"));
        const current = dataset.filter((t, i) => spelling(t, i) === "current");
        const legacy = dataset.filter((t, i) => spelling(t, i) === "legacy");
        const db = { ...(options.database ? { database: options.database } : {}), ...(options.eventTimeUnit ? { eventTimeUnit: options.eventTimeUnit } : {}) };
        if (current.length > 0) await loadTraces(writer, current, db);
        if (legacy.length > 0) await loadTraces(writer, legacy, { ...db, spelling: "legacy" });
      } catch (err) {
        await writer.close();
        await shim.close();
        throw err;
      }
      await writer.close();
      // The world's record starts after the load: tests look at what the backend sent.
      shim.requests.length = 0;
      return shim;
    },
  };
}
