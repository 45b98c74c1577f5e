/**
 * The local backend (the embedded store behind TraceBackend) against the shared conformance suite,
 * with data both in Parquet segments and in the write-ahead log.
 */
import { localOptions, localWorld } from "../helpers/local-world.js";
import { describeBackendConformance } from "./conformance.js";

describeBackendConformance(localWorld(), (base, running) => ({ ...base, local: localOptions(running.url) }), { http: false });
