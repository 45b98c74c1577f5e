/** GET /healthz: for probes; no auth, no data, no backend call, whatever else is configured. */
import { request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/config.js";
import { silentLogger } from "../../src/logger.js";
import { startHttpServer, type RunningHttpServer } from "../../src/mcp/http.js";
import { MemoryBackend } from "../helpers/memory-backend.js";

let running: RunningHttpServer | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

function raw(url: string, method: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let body = "";
      res.on("data", (d) => (body += String(d)));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("GET /healthz", () => {
  it("answers 200 {status: ok} without the token the MCP endpoint needs, and never creates the backend", async () => {
    let made = 0;
    const config = resolveConfig({ transport: "http", host: "127.0.0.1", port: "0", authToken: "probe-secret-token" }, {});
    running = await startHttpServer(config, silentLogger(), {
      backendFactory: async () => {
        made++;
        return new MemoryBackend([]);
      },
    });
    const url = running.url.replace(/\/mcp$/, "/healthz");
    const ok = await raw(url, "GET");
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toEqual({ status: "ok" });
    expect(ok.headers["content-type"]).toBe("application/json");
    expect(ok.headers["cache-control"]).toBe("no-store");
    // An orchestrator probes with the pod's address as Host: not on the allow-list, still answered.
    expect((await raw(url, "GET", { host: "10.1.2.3:8000" })).status).toBe(200);
    const head = await raw(url, "HEAD");
    expect(head.status).toBe(200);
    expect(head.body).toBe("");
    expect(made).toBe(0);
    // The MCP endpoint itself still wants the token, and /healthz takes no other method.
    expect((await raw(running.url, "POST", { "content-type": "application/json" })).status).toBe(401);
    expect((await raw(url, "POST")).status).toBe(404);
  });
});
