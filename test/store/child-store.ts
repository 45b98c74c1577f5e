/**
 * A store in a child process, for the crash and multi-process tests. Opens the store in argv[2]
 * with the JSON options in argv[3], serves a loopback HTTP port and prints it on stdout:
 *   POST /append  body: Span[]   -> 200 {"appended": n} once durable, 409 when not the owner
 *   GET  /role                   -> {"role": "owner" | "reader"}
 *   GET  /trace/<id>             -> the trace, or 404
 *   POST /query   body: {sql}    -> store.query(sql) rows (the benchmark's queries)
 *   POST /search  body: SearchParams -> store.searchTraces(...) trace ids and match count
 *   POST /close                  -> closes the store and exits 0
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Span } from "../../src/domain/trace.js";
import { silentLogger } from "../../src/logger.js";
import { openStore, StoreReadOnlyError, type StoreOptions } from "../../src/store/index.js";

const [dataDir, optionsJson] = process.argv.slice(2);
const over = JSON.parse(optionsJson ?? "{}") as Partial<StoreOptions>;
const store = await openStore({ dataDir: dataDir!, retentionMs: 1e15, maxBytes: 1e15, logger: silentLogger(), ...over });

async function body(req: import("node:http").IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

const server = createServer((req, res) => {
  const reply = (status: number, value: unknown): void => {
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(value));
  };
  void (async () => {
    try {
      if (req.method === "POST" && req.url === "/append") {
        const spans = JSON.parse(await body(req)) as Span[];
        await store.append(spans);
        reply(200, { appended: spans.length });
      } else if (req.url === "/role") {
        reply(200, { role: store.role });
      } else if (req.url?.startsWith("/trace/")) {
        const trace = await store.getTrace(req.url.slice("/trace/".length));
        reply(trace ? 200 : 404, trace ?? {});
      } else if (req.method === "POST" && req.url === "/query") {
        const { sql } = JSON.parse(await body(req)) as { sql: string };
        reply(200, await store.query(sql));
      } else if (req.method === "POST" && req.url === "/search") {
        const r = await store.searchTraces(JSON.parse(await body(req)) as Parameters<typeof store.searchTraces>[0]);
        reply(200, { ids: r.traces.map((t) => t.traceId), matched: r.matched });
      } else if (req.method === "POST" && req.url === "/close") {
        await store.close();
        reply(200, {});
        server.close();
        process.exit(0);
      } else {
        reply(404, {});
      }
    } catch (err) {
      reply(err instanceof StoreReadOnlyError ? 409 : 500, { error: String(err) });
    }
  })();
});

server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port, role: store.role })}\n`);
});
