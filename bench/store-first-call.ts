/**
 * Restart figure for bench/store.ts: a fresh process opens the store in argv[2] and answers one
 * searchTraces over the last hour; prints the timings as JSON on stdout.
 */
import { silentLogger } from "../src/logger.js";
import { openStore } from "../src/store/index.js";

const dir = process.argv[2]!;
const t0 = performance.now();
const store = await openStore({ dataDir: dir, retentionMs: 30 * 24 * 3_600_000, maxBytes: 100 * 1024 ** 3, logger: silentLogger() });
const t1 = performance.now();
const now = Date.now();
await store.searchTraces({ startMs: now - 3_600_000, endMs: now, filters: [], limit: 20 });
const t2 = performance.now();
process.stdout.write(JSON.stringify({ sinceStartMs: t2, openMs: t1 - t0, firstCallMs: t2 - t1, role: store.role }));
await store.close();
