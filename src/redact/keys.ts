/**
 * What an object key (an attribute name or an answer field) says about its value:
 *  - structural: ids, times, durations, counts, status codes, versions — never scanned, so no
 *    pattern can mistake a trace id for a key or a µs timestamp for a card number;
 *  - sensitive: the name itself says the value is a credential — the whole value is replaced;
 *  - content: a prompt or completion body — replaced by its length at level `content`;
 *  - anything else: the value is scanned with the pattern rules.
 */

/** Keys whose values are never redacted (exact, case-insensitive). */
export const STRUCTURAL_KEYS: ReadonlySet<string> = new Set([
  // answer fields of the tools
  "trace_id",
  "span_id",
  "parent_span_id",
  "trace_ids",
  "exemplar_trace_ids",
  "start_time",
  "end_time",
  "first_seen",
  "last_seen",
  "bucket_start",
  "timestamp",
  "duration_ms",
  "start_offset_ms",
  // not "status": the tools' OK/ERROR/UNSET are shorter than any finding, and an attribute named
  // status may hold free text
  "span_count",
  "llm_span_count",
  "trace_count",
  "count",
  "error_count",
  "total_tokens",
  "prompt_tokens",
  "completion_tokens",
  "fingerprint",
  "depth",
  // OpenTelemetry attributes and domain spellings
  "trace.id",
  "span.id",
  "traceid",
  "spanid",
  "parentspanid",
  "trace_state",
  "otel.status_code",
  "http.status_code",
  "http.response.status_code",
  "rpc.grpc.status_code",
  "thread.id",
  "process.pid",
]);

/** Key suffixes that mark structural values too: `service.version`, `telemetry.sdk.version`, … */
const STRUCTURAL_SUFFIXES = [".version", "_version"] as const;

export function isStructuralKey(key: string): boolean {
  const lower = key.toLowerCase();
  return STRUCTURAL_KEYS.has(lower) || STRUCTURAL_SUFFIXES.some((s) => lower.endsWith(s));
}

/** The last word of a key that makes it a credential, and the kind reported. */
const SENSITIVE_LAST_WORD: Readonly<Record<string, string>> = {
  password: "password",
  passwd: "password",
  pwd: "password",
  passphrase: "password",
  secret: "secret",
  secrets: "secret",
  token: "token",
  jwt: "token",
  apikey: "api_key",
  secretkey: "secret",
  privatekey: "private_key",
  accesskey: "api_key",
  authorization: "authorization",
  cookie: "cookie",
  cookies: "cookie",
  credential: "credentials",
  credentials: "credentials",
  creds: "credentials",
  dsn: "connection_string",
  connectionstring: "connection_string",
};

/** The last two words of a key that make it a credential. */
const SENSITIVE_LAST_PAIR: Readonly<Record<string, string>> = {
  "api key": "api_key",
  "access key": "api_key",
  "auth key": "api_key",
  "secret key": "secret",
  "signing key": "secret",
  "encryption key": "secret",
  "master key": "secret",
  "private key": "private_key",
  "connection string": "connection_string",
  "conn string": "connection_string",
};

/** Trailing words that still name the credential itself: `password_hash`, `api_key.value`. */
const VALUE_WORDS = new Set(["value", "hash", "raw", "b64", "base64", "encoded", "plain", "plaintext"]);

/** Splits `http.request.header.x-api-key`, `OPENAI_API_KEY`, `apiKey` into lower-case words. */
export function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/**
 * The credential kind a key names, or undefined. Only the key's last word (or last two words)
 * counts, after dropping trailing value words: `db.password`, `x-api-key`, `client_secret`,
 * `http.request.header.authorization`, `aws.secret_access_key`, `csrf_token` are sensitive;
 * `gen_ai.usage.prompt_tokens`, `token_count`, `secret_name`, `routing_key` are not.
 */
export function sensitiveKeyKind(key: string): string | undefined {
  const words = keyWords(key);
  while (words.length > 1 && VALUE_WORDS.has(words.at(-1)!)) words.pop();
  const last = words.at(-1);
  if (!last) return undefined;
  const pair = words.length >= 2 ? `${words.at(-2)} ${last}` : "";
  return SENSITIVE_LAST_PAIR[pair] ?? SENSITIVE_LAST_WORD[last];
}

/** Prompt and completion bodies: replaced by their length at level `content`. */
export const CONTENT_KEYS: ReadonlySet<string> = new Set([
  // tool answer fields
  "prompt_preview",
  "completion_preview",
  // GenAI semantic conventions (current and earlier)
  "gen_ai.prompt",
  "gen_ai.completion",
  "gen_ai.input.messages",
  "gen_ai.output.messages",
  "gen_ai.system_instructions",
  "gen_ai.tool.call.arguments",
  "gen_ai.tool.call.result",
  "gen_ai.content.prompt",
  "gen_ai.content.completion",
  // OpenLLMetry / Traceloop
  "llm.prompts",
  "llm.completions",
  "traceloop.entity.input",
  "traceloop.entity.output",
  // OpenInference
  "input.value",
  "output.value",
  // Vercel AI SDK
  "ai.prompt",
  "ai.prompt.messages",
  "ai.response.text",
  "ai.response.object",
  "ai.response.toolcalls",
  "ai.toolcall.args",
  "ai.toolcall.result",
  // event attributes (gen_ai.user.message, gen_ai.choice, …) and bare spellings
  "content",
  "prompt",
  "completion",
  "input_messages",
  "output_messages",
  "system_instructions",
]);

/** Indexed spellings: `gen_ai.prompt.0.content`, `gen_ai.completion.1.tool_calls.0.arguments`, OpenInference messages. */
const CONTENT_KEY_PATTERNS: readonly RegExp[] = [
  /^(?:gen_ai|llm)\.(?:prompt|completion|prompts|completions)\.\d+\.(?:content|text|arguments|tool_calls\.\d+\.(?:function\.)?arguments)$/,
  /^(?:gen_ai|llm)\.(?:prompt|completion)\.\d+\.content\.\d+\.text$/,
  /^llm\.(?:input|output)_messages\.\d+\.message\.(?:content|contents\.\d+\.message_content\.text|tool_calls\.\d+\.tool_call\.function\.arguments)$/,
];

export function isContentKey(key: string): boolean {
  const lower = key.toLowerCase();
  return CONTENT_KEYS.has(lower) || CONTENT_KEY_PATTERNS.some((re) => re.test(lower));
}

/** `x-internal-token`, `customer.*`: `*` is any run of characters, the rest literal, case-insensitive, whole key. */
export function globToRegExp(glob: string): RegExp {
  const body = glob
    .split("*")
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${body}$`, "i");
}
