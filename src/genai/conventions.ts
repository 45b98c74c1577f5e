/**
 * The declarative mapping table: which attributes each GenAI convention uses for each quantity, in
 * the order a reader takes them (first one present wins; aliases of one quantity are never added
 * together), how a span's convention is recognised, which spans are LLM calls, and the rules that
 * make token counts mean the same thing everywhere. Everything here is plain data: normalize.ts
 * interprets it in TypeScript and sql.ts turns the same data into SQL, so both agree by construction.
 *
 * Sources (checked December 2026):
 * - OTel GenAI: open-telemetry/semantic-conventions-genai model/gen-ai/registry.yaml and
 *   changelog.d/440.breaking.md (cache_creation -> cache_write); deprecated names from
 *   open-telemetry/semantic-conventions model/gen-ai/deprecated/registry-deprecated.yaml.
 * - OpenLLMetry: traceloop/openllmetry packages/opentelemetry-semantic-conventions-ai
 *   (semconv_ai/__init__.py, 0.4.x and 0.5.2) and the Anthropic instrumentation (input tokens include
 *   cache reads and writes since #2175).
 * - OpenInference: Arize-ai/openinference spec/semantic_conventions.md, spec/llm_spans.md
 *   (openinference-semantic-conventions 0.1.32).
 * - Vercel AI SDK: vercel/ai packages/ai/src/generate-text/*.ts at ai@4.3.19, ai@5.0.244, ai@6.0.264 and
 *   packages/otel/src/legacy-open-telemetry.ts (ai 7); provider usage mapping in @ai-sdk/anthropic@2.0.95,
 *   @ai-sdk/amazon-bedrock@3.0.119, @ai-sdk/google@2.0.89 (v5) and LanguageModelUsage in ai@6 (v6).
 * - LiteLLM: BerriAI/litellm litellm/integrations/opentelemetry.py (span "litellm_request",
 *   set_attributes).
 */

/** Conventions in detection order: the first whose marker attributes are present names the span. */
export const CONVENTIONS = ["vercel_ai", "openinference", "litellm", "openllmetry", "otel_genai"] as const;
export type Convention = (typeof CONVENTIONS)[number];

/**
 * A span belongs to the first convention (in CONVENTIONS order) one of whose marker keys is present.
 * Markers are attribute keys only (never span names), so the rule works on a single span and in SQL.
 */
export const CONVENTION_MARKERS: Readonly<Record<Convention, readonly string[]>> = {
  vercel_ai: ["ai.operationId"],
  openinference: ["openinference.span.kind"],
  // LiteLLM's litellm_request span always carries hidden_params; proxy requests add metadata.user_api_key_*.
  litellm: ["hidden_params", "metadata.user_api_key_hash"],
  // Keys only OpenLLMetry (traceloop semconv-ai) writes. gen_ai.system, gen_ai.usage.prompt_tokens and
  // the underscore cache keys are not markers: older OTel semconv and Strands Agents write them too.
  openllmetry: [
    "llm.request.type",
    "llm.usage.total_tokens",
    "llm.usage.prompt_tokens",
    "llm.usage.completion_tokens",
    "llm.usage.input_tokens",
    "llm.usage.output_tokens",
    "llm.is_streaming",
    "llm.response.finish_reason",
    "llm.response.finish_reasons",
    "gen_ai.usage.reasoning_tokens",
    "gen_ai.is_streaming",
    "gen_ai.prompt.0.content",
    "gen_ai.completion.0.content",
    "traceloop.span.kind",
    "traceloop.entity.name",
    "traceloop.workflow.name",
  ],
  otel_genai: ["gen_ai.provider.name", "gen_ai.system", "gen_ai.operation.name", "gen_ai.request.model", "gen_ai.tool.name"],
};

// ---------------------------------------------------------------------------------------------
// Which spans are LLM calls (counted once)
// ---------------------------------------------------------------------------------------------

/**
 * Vercel AI SDK: only the provider-call spans are LLM calls. The ai.generateText / ai.streamText /
 * ai.generateObject / ai.streamObject / ai.embed / ai.embedMany wrappers repeat the summed usage of
 * their children and are never counted.
 */
export const VERCEL_CALL_OPERATION_IDS = [
  "ai.generateText.doGenerate",
  "ai.streamText.doStream",
  "ai.generateObject.doGenerate",
  "ai.streamObject.doStream",
  "ai.embed.doEmbed",
  "ai.embedMany.doEmbed",
] as const;
export const VERCEL_STREAM_OPERATION_IDS = ["ai.streamText.doStream", "ai.streamObject.doStream"] as const;

/** OpenInference span kinds (compared upper-case) that are model calls; CHAIN/AGENT/TOOL/... are not. */
export const OPENINFERENCE_CALL_KINDS = ["LLM", "EMBEDDING"] as const;

/** OpenLLMetry / OTel GenAI / LiteLLM: a call names its provider under one of these keys... */
export const GEN_AI_CALL_KEYS = ["gen_ai.provider.name", "gen_ai.system"] as const;
/** ...and is not a traceloop workflow/task/agent/tool span (those may repeat their children's usage)... */
export const TRACELOOP_NON_CALL_KINDS = ["workflow", "task", "agent", "tool"] as const;
/**
 * ...nor an operation that is not a model call (compared lower-case). Agent, workflow and planning
 * spans often carry the model and the summed usage of the calls inside them (e.g. CrewAI via OpenLLMetry,
 * AI SDK 7's invoke_agent root span, Strands Agents' invoke_agent and execute_event_loop_cycle). The
 * memory operations are the proposed semconv names.
 */
export const NON_CALL_OPERATIONS = [
  "invoke_agent",
  "create_agent",
  "execute_tool",
  "invoke_workflow",
  "agent_step",
  "plan",
  "retrieval",
  "execute_task",
  "vector_db_retrieve",
  "execute_event_loop_cycle",
  "search_memory",
  "update_memory",
  "delete_memory",
  "create_memory_store",
  "delete_memory_store",
] as const;

// ---------------------------------------------------------------------------------------------
// Where each quantity is read, per convention
// ---------------------------------------------------------------------------------------------

export type TokenField = "input" | "output" | "total" | "cacheRead" | "cacheWrite" | "reasoning";
export const TOKEN_FIELDS: readonly TokenField[] = ["input", "output", "total", "cacheRead", "cacheWrite", "reasoning"];

/** One source of a value: a key, optionally with a (lower-cased raw -> normalised) value map. */
export interface KeySource {
  key: string;
  /** Raw values (compared lower-case, ASCII) and what they mean. */
  values?: Readonly<Record<string, string>>;
  /** Raw values missing from `values` are kept as they are (true) or skipped (false). */
  passThrough?: boolean;
}

export interface ConventionKeys {
  /** Raw provider, normalised by providers.ts. */
  provider: readonly string[];
  requestModel: readonly string[];
  responseModel: readonly string[];
  operation: readonly KeySource[];
  tokens: Readonly<Record<TokenField, readonly string[]>>;
}

/** gen_ai.operation.name values as written (semconv values pass through unchanged). */
const OTEL_OPERATION_VALUES: Readonly<Record<string, string>> = {
  completion: "text_completion",
  embedding: "embeddings",
};

/** OpenLLMetry llm.request.type (LLMRequestTypeValues). */
const OPENLLMETRY_REQUEST_TYPES: Readonly<Record<string, string>> = {
  chat: "chat",
  completion: "text_completion",
  embedding: "embeddings",
  rerank: "rerank",
};

/** traceloop.span.kind as an operation (only for spans that are not LLM calls). */
const TRACELOOP_KIND_OPERATIONS: Readonly<Record<string, string>> = {
  tool: "execute_tool",
  agent: "invoke_agent",
  workflow: "invoke_workflow",
};

/** LiteLLM call_type (its gen_ai.operation.name is "chat" for completion, else the call type). */
const LITELLM_CALL_TYPES: Readonly<Record<string, string>> = {
  completion: "chat",
  acompletion: "chat",
  text_completion: "text_completion",
  atext_completion: "text_completion",
  embedding: "embeddings",
  aembedding: "embeddings",
  rerank: "rerank",
  arerank: "rerank",
  responses: "chat",
  aresponses: "chat",
  anthropic_messages: "chat",
};

/** openinference.span.kind (compared lower-case here). */
const OPENINFERENCE_KIND_OPERATIONS: Readonly<Record<string, string>> = {
  llm: "chat",
  embedding: "embeddings",
  tool: "execute_tool",
  agent: "invoke_agent",
  retriever: "retrieval",
  reranker: "rerank",
};

/** ai.operationId; the wrappers are agents in the AI SDK's own GenAI mapping (packages/otel mapOperationName). */
const VERCEL_OPERATIONS: Readonly<Record<string, string>> = {
  "ai.generatetext.dogenerate": "chat",
  "ai.streamtext.dostream": "chat",
  "ai.generateobject.dogenerate": "chat",
  "ai.streamobject.dostream": "chat",
  "ai.embed.doembed": "embeddings",
  "ai.embedmany.doembed": "embeddings",
  "ai.generatetext": "invoke_agent",
  "ai.streamtext": "invoke_agent",
  "ai.generateobject": "invoke_agent",
  "ai.streamobject": "invoke_agent",
  "ai.embed": "embeddings",
  "ai.embedmany": "embeddings",
  "ai.toolcall": "execute_tool",
};

const OTEL_CACHE_READ = ["gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.cache_read_input_tokens"];
const OTEL_CACHE_WRITE = [
  "gen_ai.usage.cache_write.input_tokens",
  "gen_ai.usage.cache_creation.input_tokens",
  "gen_ai.usage.cache_creation_input_tokens",
  // Strands Agents
  "gen_ai.usage.cache_write_input_tokens",
];
const OTEL_REASONING = ["gen_ai.usage.reasoning.output_tokens", "gen_ai.usage.reasoning_tokens"];

export const CONVENTION_KEYS: Readonly<Record<Convention, ConventionKeys>> = {
  openllmetry: {
    provider: ["gen_ai.provider.name", "gen_ai.system"],
    requestModel: ["gen_ai.request.model"],
    responseModel: ["gen_ai.response.model"],
    operation: [
      { key: "gen_ai.operation.name", values: OTEL_OPERATION_VALUES, passThrough: true },
      { key: "llm.request.type", values: OPENLLMETRY_REQUEST_TYPES },
      { key: "traceloop.span.kind", values: TRACELOOP_KIND_OPERATIONS },
    ],
    tokens: {
      // The original server's order: OpenAI-style names first, then Anthropic-style, then llm.usage.*.
      input: ["gen_ai.usage.prompt_tokens", "gen_ai.usage.input_tokens", "llm.usage.prompt_tokens", "llm.usage.input_tokens"],
      output: ["gen_ai.usage.completion_tokens", "gen_ai.usage.output_tokens", "llm.usage.completion_tokens", "llm.usage.output_tokens"],
      total: ["gen_ai.usage.total_tokens", "llm.usage.total_tokens"],
      cacheRead: ["gen_ai.usage.cache_read_input_tokens", "gen_ai.usage.cache_read.input_tokens", "llm.usage.cache_read_input_tokens"],
      cacheWrite: [
        "gen_ai.usage.cache_creation_input_tokens",
        "gen_ai.usage.cache_creation.input_tokens",
        "gen_ai.usage.cache_write.input_tokens",
        "gen_ai.usage.cache_write_input_tokens",
        "llm.usage.cache_creation_input_tokens",
      ],
      reasoning: ["gen_ai.usage.reasoning_tokens", "llm.usage.reasoning_tokens", "gen_ai.usage.reasoning.output_tokens"],
    },
  },
  otel_genai: {
    provider: ["gen_ai.provider.name", "gen_ai.system"],
    requestModel: ["gen_ai.request.model"],
    responseModel: ["gen_ai.response.model"],
    operation: [{ key: "gen_ai.operation.name", values: OTEL_OPERATION_VALUES, passThrough: true }],
    tokens: {
      // The deprecated names first, as the original server read them; instrumentations that write both
      // (Strands Agents) write the same value under each.
      input: ["gen_ai.usage.prompt_tokens", "gen_ai.usage.input_tokens"],
      output: ["gen_ai.usage.completion_tokens", "gen_ai.usage.output_tokens"],
      // Not defined by the semconv; some instrumentations record it anyway.
      total: ["gen_ai.usage.total_tokens"],
      cacheRead: OTEL_CACHE_READ,
      cacheWrite: OTEL_CACHE_WRITE,
      reasoning: OTEL_REASONING,
    },
  },
  litellm: {
    provider: ["gen_ai.system", "gen_ai.provider.name"],
    requestModel: ["gen_ai.request.model"],
    responseModel: ["gen_ai.response.model"],
    operation: [
      { key: "gen_ai.operation.name", values: { ...OTEL_OPERATION_VALUES, ...LITELLM_CALL_TYPES }, passThrough: true },
      { key: "llm.request.type", values: LITELLM_CALL_TYPES, passThrough: true },
    ],
    tokens: {
      // OpenAI-format usage (prompt_tokens include cached tokens); LiteLLM's OTel spans carry no cache counts.
      input: ["gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens"],
      output: ["gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens"],
      total: ["gen_ai.usage.total_tokens", "llm.usage.total_tokens"],
      cacheRead: OTEL_CACHE_READ,
      cacheWrite: OTEL_CACHE_WRITE,
      reasoning: OTEL_REASONING,
    },
  },
  openinference: {
    // llm.provider is the host (aws, azure, google), llm.system the model family (anthropic, openai).
    provider: ["llm.provider", "llm.system"],
    requestModel: ["llm.request.model_name", "llm.model_name", "embedding.model_name"],
    responseModel: ["llm.response.model_name", "llm.model_name", "embedding.model_name"],
    operation: [{ key: "openinference.span.kind", values: OPENINFERENCE_KIND_OPERATIONS }],
    tokens: {
      input: ["llm.token_count.prompt"],
      output: ["llm.token_count.completion"],
      total: ["llm.token_count.total"],
      cacheRead: ["llm.token_count.prompt_details.cache_read"],
      cacheWrite: ["llm.token_count.prompt_details.cache_write"],
      reasoning: ["llm.token_count.completion_details.reasoning"],
    },
  },
  vercel_ai: {
    provider: ["ai.model.provider", "gen_ai.system"],
    requestModel: ["ai.model.id", "gen_ai.request.model"],
    responseModel: ["ai.response.model", "gen_ai.response.model"],
    operation: [{ key: "ai.operationId", values: VERCEL_OPERATIONS }],
    tokens: {
      // v5/v6 names, v4 names (also v5's generateText.doGenerate), the gen_ai.* copies, embeddings.
      input: ["ai.usage.inputTokens", "ai.usage.promptTokens", "gen_ai.usage.input_tokens", "ai.usage.tokens"],
      output: ["ai.usage.outputTokens", "ai.usage.completionTokens", "gen_ai.usage.output_tokens"],
      total: ["ai.usage.totalTokens"],
      cacheRead: ["ai.usage.inputTokenDetails.cacheReadTokens", "ai.usage.cachedInputTokens"],
      cacheWrite: ["ai.usage.inputTokenDetails.cacheWriteTokens"],
      reasoning: ["ai.usage.outputTokenDetails.reasoningTokens", "ai.usage.reasoningTokens"],
    },
  },
};

// ---------------------------------------------------------------------------------------------
// Token semantics: one meaning everywhere
// ---------------------------------------------------------------------------------------------

/**
 * Normalised meaning (the current semconv's): input INCLUDES cache reads and writes, output INCLUDES
 * reasoning, total is the recorded total, else input + output. Every convention already reports it that
 * way except the AI SDK before v6, whose providers pass their native counts through. Each adjustment adds
 * counts the convention reported separately to the fields that should contain them.
 */
export interface TokenAdjustment {
  convention: Convention;
  /** Why, with the source. */
  reason: string;
  /** The rule does not apply when any of these keys is present (AI SDK v6+ reports normalised totals). */
  unlessAnyKeyPresent: readonly string[];
  /** ...and applies only to raw providers (ai.model.provider) equal to or starting with prefix + "." / "-". */
  providerPrefixes: readonly string[];
  /** Field -> fields whose counts are added to it (only when the field itself was reported). */
  add: Readonly<Partial<Record<TokenField, readonly TokenField[]>>>;
}

const AI_SDK_V6_DETAIL_KEYS = [
  "ai.usage.inputTokenDetails.noCacheTokens",
  "ai.usage.inputTokenDetails.cacheReadTokens",
  "ai.usage.inputTokenDetails.cacheWriteTokens",
  "ai.usage.outputTokenDetails.textTokens",
  "ai.usage.outputTokenDetails.reasoningTokens",
];

export const TOKEN_ADJUSTMENTS: readonly TokenAdjustment[] = [
  {
    convention: "vercel_ai",
    reason:
      "AI SDK v4/v5: @ai-sdk/anthropic and @ai-sdk/amazon-bedrock report the provider's input_tokens/inputTokens, " +
      "which exclude cache reads (reported as ai.usage.cachedInputTokens), and totalTokens = input + output",
    unlessAnyKeyPresent: AI_SDK_V6_DETAIL_KEYS,
    providerPrefixes: ["anthropic", "amazon-bedrock", "bedrock", "vertex.anthropic", "google.vertex.anthropic"],
    add: { input: ["cacheRead"], total: ["cacheRead"] },
  },
  {
    convention: "vercel_ai",
    reason:
      "AI SDK v5: @ai-sdk/google reports candidatesTokenCount as outputTokens, which excludes thoughts " +
      "(reported as ai.usage.reasoningTokens); its totalTokens (totalTokenCount) already includes them",
    unlessAnyKeyPresent: AI_SDK_V6_DETAIL_KEYS,
    providerPrefixes: ["google.generative-ai", "google.vertex.chat"],
    add: { output: ["reasoning"] },
  },
];

// ---------------------------------------------------------------------------------------------
// Sessions and users (any span, any convention)
// ---------------------------------------------------------------------------------------------

/** First present wins. The traceloop / AI SDK families are user-defined keys; these are the documented spellings. */
export const SESSION_KEYS = [
  "session.id",
  "gen_ai.conversation.id",
  "traceloop.association.properties.session_id",
  "ai.telemetry.metadata.sessionId",
  "ai.settings.context.sessionId",
] as const;

export const USER_KEYS = [
  "user.id",
  "enduser.id",
  "traceloop.association.properties.user_id",
  "ai.telemetry.metadata.userId",
  "ai.settings.context.userId",
  "metadata.user_api_key_end_user_id",
  "gen_ai.user",
  "llm.user",
] as const;

// ---------------------------------------------------------------------------------------------
// Tool-execution spans (list_llm_tools)
// ---------------------------------------------------------------------------------------------

/** A span is a tool execution when one of these key/value pairs holds; its tool name is read from `name`. */
export const TOOL_SPAN_RULES: ReadonlyArray<{ convention: Convention; key: string; value: string; name: readonly string[] }> = [
  { convention: "vercel_ai", key: "ai.operationId", value: "ai.toolCall", name: ["ai.toolCall.name"] },
  { convention: "openinference", key: "openinference.span.kind", value: "TOOL", name: ["tool.name", "tool_call.function.name"] },
  { convention: "openllmetry", key: "traceloop.span.kind", value: "tool", name: ["traceloop.entity.name", "gen_ai.tool.name"] },
  { convention: "otel_genai", key: "gen_ai.operation.name", value: "execute_tool", name: ["gen_ai.tool.name"] },
];
