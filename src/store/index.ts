/** The embedded trace store (see LAYOUT.md). */
export { openStore, DEFAULT_MAX_BYTES, DEFAULT_RETENTION_MS } from "./local-store.js";
export type { LocalStore, StoreOptions, StoreRole, StoreStats } from "./local-store.js";
export type { SearchParams, StoredLlmCall, TimeWindow } from "./queries.js";
export { defaultDataDir } from "./data-dir.js";
export { StoreQueryError, StoreReadOnlyError } from "./errors.js";
export { duckdbDialect, type Dialect } from "./sql/dialect.js";
