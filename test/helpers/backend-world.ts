/**
 * A "world" is a fake backend: a real HTTP server on 127.0.0.1 that serves a dataset of domain
 * traces in one backend's wire format, implements that backend's search semantics, records the
 * requests it received, and can be told to misbehave. The conformance suite runs every adapter
 * against its world.
 */
import type { Server } from "node:http";
import type { Socket } from "node:net";
import type { Trace } from "../../src/domain/trace.js";
import type { BackendKind } from "../../src/backends/registry.js";

export type Fault =
  | "http401"
  | "http403"
  | "http404"
  | "http500"
  | "malformed" // 200 with a body that is not JSON
  | "hang"; // accept the request and never answer

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body?: unknown;
  headers: Record<string, string | string[] | undefined>;
}

export interface RunningWorld {
  url: string;
  requests: RecordedRequest[];
  /** Applies a fault to every following request (null to heal). */
  setFault(fault: Fault | null): void;
  close(): Promise<void>;
}

export interface BackendWorld {
  kind: BackendKind;
  start(dataset: Trace[]): Promise<RunningWorld>;
}

/** Listens on 127.0.0.1 (a free port) and returns the URL and a close that also drops open keep-alive sockets. */
export async function listenLoopback(server: Server): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const addr = server.address();
  if (!addr || typeof addr === "string") throw new Error("no address");
  return {
    url: `http://127.0.0.1:${addr.port}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
