/**
 * demo-data with nothing listening on the default endpoint: the traces go straight into the local
 * store, through the same path real exporters use (the OpenTelemetry SDK's OTLP/HTTP exporter into
 * this package's receiver, on a private loopback port, appending to the store). A newcomer can then
 * start the server on the same data directory and ask about them.
 */
import { startOtlpReceiver } from "../ingest/otlp-receiver.js";
import type { Logger } from "../logger.js";
import { openStore } from "../store/index.js";
import { runDemoData, type DemoDataOptions, type DemoDataResult } from "./index.js";

export interface StoreTarget {
  dataDir: string;
  retentionMs: number;
  maxBytes: number;
}

export async function demoDataIntoStore(target: StoreTarget, options: Omit<DemoDataOptions, "otlpEndpoint"> & { logger: Logger }): Promise<DemoDataResult> {
  const store = await openStore({ dataDir: target.dataDir, retentionMs: target.retentionMs, maxBytes: target.maxBytes, logger: options.logger });
  try {
    if (store.role !== "owner") {
      throw new Error(
        `the local store in ${target.dataDir} is owned by another opentelemetry-mcp process, and nothing answers at the default OTLP endpoint; ` +
          "send the traces to that process's receiver with --otlp-endpoint (its --otlp-listen address)",
      );
    }
    const receiver = await startOtlpReceiver({ host: "127.0.0.1", port: 0, sink: store, logger: options.logger });
    try {
      return await runDemoData({ ...options, otlpEndpoint: receiver.url });
    } finally {
      await receiver.close();
    }
  } finally {
    // Rolls what was received into the store's files before the process exits.
    await store.checkpoint().catch(() => undefined);
    await store.close();
  }
}
