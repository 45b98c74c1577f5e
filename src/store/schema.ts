/**
 * The otel_traces column layout, in one place: the OpenTelemetry Collector ClickHouse exporter's
 * columns (same names and meanings, so the same SQL serves a ClickHouse backend), then our extras
 * (attribute types for an exact round trip, and per-span LLM columns derived once at write time).
 * `walType` is how a column travels in a WAL line when JSON cannot carry the segment type
 * (nanosecond timestamps travel as integers); `fromWal` turns it back.
 */

export interface Column {
  name: string;
  /** DuckDB type in segments and in the in-memory WAL table. */
  type: string;
  /** Type in the WAL's JSON, when it differs. */
  walType?: string;
  /** SQL turning the WAL value (the quoted column name is passed in) into `type`. */
  fromWal?: (ident: string) => string;
  /**
   * SQL giving the column for rows of a segment written before it existed, from the columns that
   * segment has (`has`); default NULL. See Catalog.source.
   */
  fallback?: (has: (column: string) => boolean) => string;
}

const MAP = "MAP(VARCHAR, VARCHAR)";
const nsToTimestamp = (ident: string): string => `make_timestamp_ns(${ident})`;

export const EXPORTER_COLUMNS: readonly Column[] = [
  { name: "Timestamp", type: "TIMESTAMP_NS", walType: "BIGINT", fromWal: nsToTimestamp },
  { name: "TraceId", type: "VARCHAR" },
  { name: "SpanId", type: "VARCHAR" },
  { name: "ParentSpanId", type: "VARCHAR" },
  { name: "TraceState", type: "VARCHAR" },
  { name: "SpanName", type: "VARCHAR" },
  { name: "SpanKind", type: "VARCHAR" },
  { name: "ServiceName", type: "VARCHAR" },
  { name: "ResourceAttributes", type: MAP },
  { name: "ScopeName", type: "VARCHAR" },
  { name: "ScopeVersion", type: "VARCHAR" },
  { name: "SpanAttributes", type: MAP },
  { name: "Duration", type: "BIGINT" },
  { name: "StatusCode", type: "VARCHAR" },
  { name: "StatusMessage", type: "VARCHAR" },
  {
    name: "Events.Timestamp",
    type: "TIMESTAMP_NS[]",
    walType: "BIGINT[]",
    fromWal: (ident) => `list_transform(${ident}, t -> make_timestamp_ns(t))`,
  },
  { name: "Events.Name", type: "VARCHAR[]" },
  { name: "Events.Attributes", type: `${MAP}[]` },
  { name: "Links.TraceId", type: "VARCHAR[]" },
  { name: "Links.SpanId", type: "VARCHAR[]" },
  { name: "Links.TraceState", type: "VARCHAR[]" },
  { name: "Links.Attributes", type: `${MAP}[]` },
];

/**
 * Span attributes the filters use most, copied out of SpanAttributes into plain columns (the same
 * string as the map value, NULL when absent): a column scan instead of a map lookup per row.
 */
export const PROMOTED_ATTRIBUTES: Readonly<Record<string, string>> = {
  "gen_ai.system": "GenAiSystem",
  "gen_ai.provider.name": "GenAiProviderName",
  "gen_ai.request.model": "GenAiRequestModel",
  "gen_ai.response.model": "GenAiResponseModel",
};

/** Ours, not the exporter's. See LAYOUT.md for their meaning. */
/** A token count the parser also wrote into the LlmCall column (its LlmAttributes JSON). */
const tokensFromCall =
  (key: string) =>
  (has: (column: string) => boolean): string =>
    has("LlmCall") ? `TRY_CAST(json_extract_string("LlmCall", ${quoteString(`$.${key}`)}) AS BIGINT)` : "CAST(NULL AS BIGINT)";

export const EXTRA_COLUMNS: readonly Column[] = [
  { name: "AttributeTypes", type: "VARCHAR", walType: "JSON", fromWal: (ident) => `CAST(${ident} AS VARCHAR)` },
  ...Object.entries(PROMOTED_ATTRIBUTES).map(([key, name]) => ({ name, type: "VARCHAR", fallback: () => `"SpanAttributes"[${quoteString(key)}]` })),
  { name: "IsLlm", type: "BOOLEAN" },
  { name: "LlmProvider", type: "VARCHAR" },
  { name: "LlmRequestModel", type: "VARCHAR" },
  { name: "LlmResponseModel", type: "VARCHAR" },
  { name: "LlmModel", type: "VARCHAR" },
  { name: "LlmInputTokens", type: "BIGINT" },
  { name: "LlmOutputTokens", type: "BIGINT" },
  { name: "LlmTotalTokens", type: "BIGINT" },
  { name: "LlmCacheReadTokens", type: "BIGINT", fallback: tokensFromCall("cache_read_tokens") },
  { name: "LlmCacheWriteTokens", type: "BIGINT", fallback: tokensFromCall("cache_write_tokens") },
  { name: "LlmReasoningTokens", type: "BIGINT", fallback: tokensFromCall("reasoning_tokens") },
  { name: "LlmFinishReasons", type: "VARCHAR[]" },
  { name: "LlmCall", type: "VARCHAR" },
];

export const COLUMNS: readonly Column[] = [...EXPORTER_COLUMNS, ...EXTRA_COLUMNS];

/**
 * The last key of every WAL line. A line is complete iff it parsed this far, so a torn tail
 * (kill -9 in the middle of a write, or a reader racing the writer) is never mistaken for a span.
 */
export const WAL_END_KEY = "_eol";

/** Segments never straddle an hour: retention drops whole hours, and a time window skips whole files. */
export const HOUR_MS = 3_600_000;

/** Bumped when the layout changes incompatibly; recorded in the manifest. */
export const LAYOUT_VERSION = 1;

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function quoteString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** `read_json` column spec for WAL files. */
export function walJsonColumns(): string {
  const cols = COLUMNS.map((c) => `${quoteString(c.name)}: ${quoteString(c.walType ?? c.type)}`);
  cols.push(`${quoteString(WAL_END_KEY)}: 'INTEGER'`);
  return `{${cols.join(", ")}}`;
}

/** SELECT list converting WAL JSON columns into segment columns. */
export function walSelectList(): string {
  return COLUMNS.map((c) => {
    const ident = quoteIdent(c.name);
    return c.fromWal ? `${c.fromWal(ident)} AS ${ident}` : ident;
  }).join(", ");
}

/**
 * The complete lines of WAL files (absolute paths) as otel_traces rows; torn or partial lines lack
 * the end marker. `fileColumn` adds a column with each row's file name (without directory).
 */
export function walReadSql(paths: readonly string[], fileColumn?: string): string {
  const file = fileColumn ? `, parse_filename(filename, false, 'system') AS ${quoteIdent(fileColumn)}` : "";
  return `SELECT ${walSelectList()}${file} FROM read_json([${paths.map(quoteString).join(", ")}], format = 'newline_delimited',
    columns = ${walJsonColumns()}, ignore_errors = true, maximum_object_size = ${MAX_LINE_BYTES}${fileColumn ? ", filename = true" : ""})
    WHERE ${quoteIdent(WAL_END_KEY)} = 1`;
}

export function tableDdl(table: string, extra: readonly Column[] = []): string {
  const cols = [...COLUMNS, ...extra].map((c) => `${quoteIdent(c.name)} ${c.type}`);
  return `CREATE TABLE ${table} (${cols.join(", ")})`;
}

export const COLUMN_LIST = COLUMNS.map((c) => quoteIdent(c.name)).join(", ");

/**
 * The SELECT list of COLUMNS for rows that have only the columns `has` accepts (a segment written
 * by an earlier version): each missing column from its fallback, else NULL.
 */
export function columnListFor(has: (column: string) => boolean): string {
  return COLUMNS.map((c) => {
    const ident = quoteIdent(c.name);
    if (has(c.name)) return ident;
    return `CAST(${c.fallback ? c.fallback(has) : "NULL"} AS ${c.type}) AS ${ident}`;
  }).join(", ");
}

/**
 * The largest WAL line DuckDB's JSON reader accepts (its maximum_object_size). encode.ts keeps
 * every line below it by truncating huge attribute values, because a longer line would be skipped.
 */
export const MAX_LINE_BYTES = 4 * 1024 * 1024;
