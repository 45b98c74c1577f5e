/**
 * A "world" is a fake backend: a real HTTP server on 127.0.0.1 that serves a dataset of domain
 * traces in one backend's wire format, implements that backend's search semantics, records the
 * requests it received, and can be told to misbehave. The conformance suite runs every adapter
 * against its world.
 */
import type { Trace } from "../../src/domain/trace.js";
import type { BackendKind } from "../../src/errors.js";

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
