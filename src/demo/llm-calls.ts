/**
 * LLM-call spans for the demo plan, in every GenAI convention the server reads, with each
 * instrumentation's own attribute names and token semantics (sources as in src/genai/conventions.ts):
 * - openllmetry: traceloop OpenLLMetry (gen_ai.system, gen_ai.usage.prompt_tokens incl. cache,
 *   gen_ai.prompt.{i}.*, llm.request.type, traceloop.association.properties.*);
 * - otel_genai: current OTel GenAI names (gen_ai.provider.name, input tokens incl. cache,
 *   cache_read / cache_write, reasoning, gen_ai.input/output.messages JSON, gen_ai.conversation.id);
 * - otel_genai_legacy: older OTel names as Strands Agents writes them (gen_ai.system, both token
 *   spellings, per-message events);
 * - openinference: Arize OpenInference (openinference.span.kind, llm.token_count.*, flattened messages);
 * - vercel_ai: AI SDK 5 wrapper + provider-call pair (ai.generateText / ai.generateText.doGenerate,
 *   ai.streamText / ai.streamText.doStream; Anthropic input tokens exclude cache reads);
 * - litellm: LiteLLM's litellm_request span and its raw_gen_ai_request child.
 */
import { ms, type Draft, type TraceBuilder } from "./builder.js";
import type { DemoAttributes, DemoEvent } from "./types.js";

export interface ModelSpec {
  /** OpenLLMetry / older OTel gen_ai.system. */
  system: string;
  /** Current semconv gen_ai.provider.name. */
  provider: string;
  /** AI SDK provider id (ai.model.provider). */
  vercelProvider: string;
  /** LiteLLM custom_llm_provider. */
  litellmProvider: string;
  /** OpenLLMetry span name. */
  spanName: string;
  request: string;
  /** Absent: the provider does not echo a model (tools then fall back to the request model). */
  response?: string;
  operation: "chat" | "embeddings";
  /** Milliseconds per completion token (latency model). */
  msPerToken: number;
  /** How OpenLLMetry reports usage: which keys, and whether a total is present. */
  usage: "openai" | "anthropic" | "cohere" | "mistral" | "embedding";
}

const common = (system: string, provider: string, vercelProvider: string, litellmProvider: string) => ({ system, provider, vercelProvider, litellmProvider });

export const DEMO_MODELS = {
  gpt4o: { ...common("openai", "openai", "openai.chat", "openai"), spanName: "openai.chat", request: "gpt-4o", response: "gpt-4o-2024-08-06", operation: "chat", msPerToken: 12, usage: "openai" },
  gpt4oMini: { ...common("openai", "openai", "openai.chat", "openai"), spanName: "openai.chat", request: "gpt-4o-mini", response: "gpt-4o-mini-2024-07-18", operation: "chat", msPerToken: 6, usage: "openai" },
  o3Mini: { ...common("openai", "openai", "openai.chat", "openai"), spanName: "openai.chat", request: "o3-mini", response: "o3-mini-2025-01-31", operation: "chat", msPerToken: 9, usage: "openai" },
  embedSmall: { ...common("openai", "openai", "openai.embedding", "openai"), spanName: "openai.embeddings", request: "text-embedding-3-small", response: "text-embedding-3-small", operation: "embeddings", msPerToken: 0, usage: "embedding" },
  sonnet: { ...common("anthropic", "anthropic", "anthropic.messages", "anthropic"), spanName: "anthropic.chat", request: "claude-3-5-sonnet", response: "claude-3-5-sonnet-20241022", operation: "chat", msPerToken: 14, usage: "anthropic" },
  haiku: { ...common("anthropic", "anthropic", "anthropic.messages", "anthropic"), spanName: "anthropic.chat", request: "claude-3-5-haiku", response: "claude-3-5-haiku-20241022", operation: "chat", msPerToken: 7, usage: "anthropic" },
  commandR: { ...common("cohere", "cohere", "cohere.chat", "cohere_chat"), spanName: "cohere.chat", request: "command-r-plus", operation: "chat", msPerToken: 10, usage: "cohere" },
  embedCohere: { ...common("cohere", "cohere", "cohere.embedding", "cohere"), spanName: "cohere.embed", request: "embed-english-v3.0", operation: "embeddings", msPerToken: 0, usage: "embedding" },
  // OpenLLMetry 0.4.x spells the provider "MistralAI" (GenAISystem.MISTRALAI).
  mistralLarge: { ...common("MistralAI", "mistral_ai", "mistral.chat", "mistral"), spanName: "mistral.chat", request: "mistral-large-latest", response: "mistral-large-2411", operation: "chat", msPerToken: 11, usage: "mistral" },
} as const satisfies Record<string, ModelSpec>;

export type DemoConvention = "openllmetry" | "otel_genai" | "otel_genai_legacy" | "openinference" | "vercel_ai" | "litellm";

/** A chat session and (optionally) its user; each convention records them under its own keys. */
export interface DemoSession {
  id: string;
  user?: string;
}

export interface LlmCallOptions {
  prompt: string;
  completion: string;
  /** Input tokens the instrumentation would not count as cached. */
  promptTokens: number;
  completionTokens: number;
  finishReason: string;
  streaming?: boolean;
  slow?: boolean;
  rateLimited?: boolean;
  /** Default openllmetry. */
  convention?: DemoConvention;
  session?: DemoSession;
  /** Tool the model asks for (tool_calls / tool_use finishes). */
  toolCall?: string;
}

export const SYSTEM_PROMPT = "You are a helpful assistant for Acme Store. Answer concisely.";

/** Anthropic prompt caching on long system prompts (60% of calls read, some also write). */
function anthropicCache(b: TraceBuilder, model: ModelSpec): { read: number; write: number } {
  if (model.usage !== "anthropic") return { read: 0, write: 0 };
  const r = b.rand;
  if (!r.chance(0.6)) return { read: 0, write: 0 };
  const read = r.int(800, 3000);
  const write = r.chance(0.3) ? r.int(200, 1200) : 0;
  b.labels.add("cache_tokens");
  return { read, write };
}

function durationMs(b: TraceBuilder, model: ModelSpec, completionTokens: number, slow: boolean | undefined): number {
  const r = b.rand;
  let d = model.operation === "chat" ? r.int(250, 700) + completionTokens * model.msPerToken + r.int(0, 999) / 1000 : r.int(40, 180) + r.int(0, 999) / 1000;
  if (slow) {
    // At least 10x, and slower than any normal trace, so outliers lead the slow-trace ranking.
    d = Math.max(d * 10, 60_000 + r.int(0, 30_000) + r.int(0, 999) / 1000);
    b.labels.add("slow_outlier");
  }
  return d;
}

/** Never an integer: the OTLP encoder would send 1.0 as intValue. */
const temperature = (b: TraceBuilder) => b.rand.pick([0.2, 0.3, 0.5, 0.7]);
const maxTokens = (b: TraceBuilder) => b.rand.pick([512, 1024, 2048, 4096]);
const json = (v: unknown): string => JSON.stringify(v);

/** One OpenLLMetry LLM call span (the original demo's shape); returns it. */
function openllmetryCall(b: TraceBuilder, parent: Draft, service: string, model: ModelSpec, startUs: number, o: LlmCallOptions): Draft {
  const r = b.rand;
  const attrs: DemoAttributes = {
    "gen_ai.system": model.system,
    "gen_ai.request.model": model.request,
    "gen_ai.operation.name": model.operation,
    "llm.request.type": model.operation === "chat" ? "chat" : "embedding",
  };
  if (o.session) {
    attrs["traceloop.association.properties.session_id"] = o.session.id;
    if (o.session.user) attrs["traceloop.association.properties.user_id"] = o.session.user;
  }
  if (model.operation === "chat") {
    attrs["gen_ai.request.temperature"] = temperature(b);
    attrs["gen_ai.request.max_tokens"] = maxTokens(b);
    attrs["gen_ai.request.is_streaming"] = o.streaming ?? false;
    attrs["gen_ai.prompt.0.role"] = "system";
    attrs["gen_ai.prompt.0.content"] = SYSTEM_PROMPT;
    attrs["gen_ai.prompt.1.role"] = "user";
    attrs["gen_ai.prompt.1.content"] = o.prompt;
  } else {
    attrs["gen_ai.prompt.0.content"] = o.prompt;
  }
  const span = b.open(parent, service, model.spanName, "client", startUs, attrs);
  if (o.rateLimited) {
    const durUs = ms(r.int(80, 400));
    span.endUs = startUs + durUs;
    const message = `Error code: 429 - Rate limit reached for ${model.request} on tokens per min (TPM): Limit 30000, Used 29${r.int(100, 999)}, Requested ${o.promptTokens}. Please try again in ${r.int(2, 20)}s.`;
    attrs["http.response.status_code"] = 429;
    b.fail(span, "RateLimitError", message, `${model.system}.Completions.create (/app/node_modules/${model.system}/resources/chat.js:41:22)`, span.endUs - 1000);
    b.labels.add("rate_limited");
    return span;
  }
  if (model.response) attrs["gen_ai.response.model"] = model.response;
  if (model.operation === "chat") {
    attrs["gen_ai.response.finish_reasons"] = [o.finishReason];
    attrs["gen_ai.completion.0.role"] = "assistant";
    attrs["gen_ai.completion.0.content"] = o.completion;
    attrs["gen_ai.completion.0.finish_reason"] = o.finishReason;
    if (o.toolCall) attrs["gen_ai.completion.0.tool_calls.0.name"] = o.toolCall;
  }
  const c = model.operation === "chat" ? o.completionTokens : 0;
  switch (model.usage) {
    case "openai":
      attrs["gen_ai.usage.prompt_tokens"] = o.promptTokens;
      attrs["gen_ai.usage.completion_tokens"] = c;
      attrs["gen_ai.usage.total_tokens"] = o.promptTokens + c;
      if (model.request === "o3-mini") attrs["gen_ai.usage.reasoning_tokens"] = Math.floor(c * 0.6);
      break;
    case "anthropic": {
      // The instrumentation reports input_tokens + cache reads + cache writes as prompt tokens; without
      // a reported total the original server summed the counters (counting the cache twice).
      const cache = anthropicCache(b, model);
      const p = o.promptTokens + cache.read + cache.write;
      attrs["gen_ai.usage.prompt_tokens"] = p;
      attrs["gen_ai.usage.completion_tokens"] = c;
      if (cache.read) attrs["gen_ai.usage.cache_read_input_tokens"] = cache.read;
      if (cache.write) attrs["gen_ai.usage.cache_creation_input_tokens"] = cache.write;
      if (!cache.read || r.chance(0.5)) attrs["gen_ai.usage.total_tokens"] = p + c;
      break;
    }
    case "cohere":
      attrs["gen_ai.usage.input_tokens"] = o.promptTokens;
      attrs["gen_ai.usage.output_tokens"] = c;
      break;
    case "mistral":
      // Some instrumentations report both spellings of the same quantity.
      attrs["gen_ai.usage.prompt_tokens"] = o.promptTokens;
      attrs["gen_ai.usage.input_tokens"] = o.promptTokens;
      attrs["gen_ai.usage.completion_tokens"] = c;
      attrs["gen_ai.usage.output_tokens"] = c;
      break;
    case "embedding":
      if (model.system === "cohere") attrs["gen_ai.usage.input_tokens"] = o.promptTokens;
      else {
        attrs["gen_ai.usage.prompt_tokens"] = o.promptTokens;
        attrs["gen_ai.usage.total_tokens"] = o.promptTokens;
      }
      break;
  }
  span.endUs = startUs + ms(durationMs(b, model, c, o.slow));
  return span;
}

/** Current OTel GenAI names: input tokens include the cache, content as JSON messages with parts. */
function otelCall(b: TraceBuilder, parent: Draft, service: string, model: ModelSpec, startUs: number, o: LlmCallOptions): Draft {
  const r = b.rand;
  const attrs: DemoAttributes = {
    "gen_ai.provider.name": model.provider,
    "gen_ai.operation.name": "chat",
    "gen_ai.request.model": model.request,
    "gen_ai.request.temperature": temperature(b),
    "gen_ai.request.max_tokens": maxTokens(b),
    "gen_ai.request.stream": o.streaming ?? false,
    "gen_ai.system_instructions": json([{ type: "text", content: SYSTEM_PROMPT }]),
    "gen_ai.input.messages": json([{ role: "user", parts: [{ type: "text", content: o.prompt }] }]),
  };
  if (o.session) attrs["gen_ai.conversation.id"] = o.session.id;
  const span = b.open(parent, service, `chat ${model.request}`, "client", startUs, attrs);
  if (model.response) attrs["gen_ai.response.model"] = model.response;
  const parts = o.toolCall
    ? [{ type: "tool_call", id: `call_${r.hex(12)}`, name: o.toolCall, arguments: { query: o.prompt } }]
    : [{ type: "text", content: o.completion }];
  attrs["gen_ai.response.finish_reasons"] = [o.finishReason];
  attrs["gen_ai.output.messages"] = json([{ role: "assistant", parts, finish_reason: o.finishReason }]);
  const cache = anthropicCache(b, model);
  const c = o.completionTokens;
  attrs["gen_ai.usage.input_tokens"] = o.promptTokens + cache.read + cache.write;
  attrs["gen_ai.usage.output_tokens"] = c;
  if (cache.read) attrs["gen_ai.usage.cache_read.input_tokens"] = cache.read;
  if (cache.write) attrs["gen_ai.usage.cache_write.input_tokens"] = cache.write;
  if (model.request === "o3-mini") attrs["gen_ai.usage.reasoning.output_tokens"] = Math.floor(c * 0.6);
  if (o.streaming) attrs["gen_ai.response.time_to_first_chunk"] = r.int(150, 900) / 1000;
  span.endUs = startUs + ms(durationMs(b, model, c, o.slow));
  return span;
}

/** Older OTel names as Strands Agents writes them: gen_ai.system, both token spellings, message events. */
function otelLegacyCall(b: TraceBuilder, parent: Draft, service: string, model: ModelSpec, startUs: number, o: LlmCallOptions): Draft {
  const c = o.completionTokens;
  const attrs: DemoAttributes = {
    "gen_ai.system": model.provider,
    "gen_ai.operation.name": "chat",
    "gen_ai.request.model": model.request,
    "gen_ai.usage.prompt_tokens": o.promptTokens,
    "gen_ai.usage.input_tokens": o.promptTokens,
    "gen_ai.usage.completion_tokens": c,
    "gen_ai.usage.output_tokens": c,
    "gen_ai.usage.total_tokens": o.promptTokens + c,
  };
  if (model.response) attrs["gen_ai.response.model"] = model.response;
  const span = b.open(parent, service, "chat", "client", startUs, attrs);
  span.endUs = startUs + ms(durationMs(b, model, c, o.slow));
  const events: DemoEvent[] = [
    { name: "gen_ai.system.message", timeUs: startUs, attributes: { content: json([{ text: SYSTEM_PROMPT }]) } },
    { name: "gen_ai.user.message", timeUs: startUs, attributes: { content: json([{ text: o.prompt }]) } },
    { name: "gen_ai.choice", timeUs: span.endUs, attributes: { finish_reason: o.finishReason, message: json([{ text: o.completion }]) } },
  ];
  span.events.push(...events);
  return span;
}

/** OpenInference LLM or EMBEDDING span (LlamaIndex-style names). */
function openInferenceCall(b: TraceBuilder, parent: Draft, service: string, model: ModelSpec, startUs: number, o: LlmCallOptions): Draft {
  const r = b.rand;
  if (model.operation === "embeddings") {
    const span = b.open(parent, service, `${model.system === "cohere" ? "Cohere" : "OpenAI"}Embedding.embed`, "client", startUs, {
      "openinference.span.kind": "EMBEDDING",
      "llm.system": model.system,
      "embedding.model_name": model.request,
      "embedding.embeddings.0.embedding.text": o.prompt,
      "llm.token_count.prompt": o.promptTokens,
      "llm.token_count.total": o.promptTokens,
    });
    span.endUs = startUs + ms(durationMs(b, model, 0, o.slow));
    return span;
  }
  const params: Record<string, unknown> = { model: model.request, temperature: temperature(b), max_tokens: maxTokens(b) };
  if (o.streaming) params.stream = true;
  // OpenAI's prompt tokens include cached tokens; prompts over 1024 tokens are partly cached.
  const cached = o.promptTokens >= 1024 && r.chance(0.5) ? Math.floor(o.promptTokens / 2) : 0;
  const c = o.completionTokens;
  const attrs: DemoAttributes = {
    "openinference.span.kind": "LLM",
    "llm.provider": model.system,
    "llm.system": model.system,
    "llm.model_name": model.response ?? model.request,
    "llm.invocation_parameters": json(params),
    "llm.input_messages.0.message.role": "system",
    "llm.input_messages.0.message.content": SYSTEM_PROMPT,
    "llm.input_messages.1.message.role": "user",
    "llm.input_messages.1.message.content": o.prompt,
    "llm.output_messages.0.message.role": "assistant",
    "llm.output_messages.0.message.content": o.completion,
    "llm.finish_reason": o.finishReason,
    "llm.token_count.prompt": o.promptTokens,
    "llm.token_count.completion": c,
    "llm.token_count.total": o.promptTokens + c,
  };
  if (cached) attrs["llm.token_count.prompt_details.cache_read"] = cached;
  if (o.session) {
    attrs["session.id"] = o.session.id;
    if (o.session.user) attrs["user.id"] = o.session.user;
  }
  const span = b.open(parent, service, `${model.system === "openai" ? "OpenAI" : model.system}.chat`, "client", startUs, attrs);
  span.endUs = startUs + ms(durationMs(b, model, c, o.slow));
  return span;
}

/**
 * AI SDK 5: the ai.generateText / ai.streamText wrapper and its provider call. Returns the wrapper,
 * which repeats the call's usage and is not an LLM call itself. OpenAI goes through generateText
 * (doGenerate reports ai.usage.promptTokens / completionTokens); Anthropic streams, and its
 * inputTokens exclude the cache reads reported as cachedInputTokens.
 */
function vercelCall(b: TraceBuilder, parent: Draft, service: string, model: ModelSpec, startUs: number, o: LlmCallOptions): Draft {
  const r = b.rand;
  const stream = model.usage === "anthropic";
  const op = stream ? "ai.streamText" : "ai.generateText";
  const callOp = stream ? "ai.streamText.doStream" : "ai.generateText.doGenerate";
  const functionId = "classify-intent";
  const base: DemoAttributes = {
    "ai.model.provider": model.vercelProvider,
    "ai.model.id": model.request,
    "ai.telemetry.functionId": functionId,
    "ai.settings.maxRetries": 2,
  };
  if (o.session) {
    base["ai.telemetry.metadata.sessionId"] = o.session.id;
    if (o.session.user) base["ai.telemetry.metadata.userId"] = o.session.user;
  }
  const wrapper = b.open(parent, service, op, "internal", startUs, {
    ...base,
    "ai.operationId": op,
    "operation.name": `${op} ${functionId}`,
    "ai.prompt": json({ system: SYSTEM_PROMPT, prompt: o.prompt }),
  });
  const callStart = startUs + ms(r.int(1, 3));
  const call = b.open(wrapper, service, callOp, "client", callStart, {
    ...base,
    "ai.operationId": callOp,
    "operation.name": `${callOp} ${functionId}`,
    "ai.prompt.messages": json([
      { role: "system", content: SYSTEM_PROMPT },
      { role: "user", content: [{ type: "text", text: o.prompt }] },
    ]),
    "gen_ai.system": model.vercelProvider,
    "gen_ai.request.model": model.request,
    "gen_ai.request.temperature": temperature(b),
  });
  const c = o.completionTokens;
  const cache = anthropicCache(b, model);
  const response: DemoAttributes = {
    "ai.response.finishReason": o.finishReason,
    "ai.response.text": o.completion,
    "ai.response.model": model.response ?? model.request,
    "gen_ai.response.finish_reasons": [o.finishReason],
    "gen_ai.response.model": model.response ?? model.request,
  };
  const usage: DemoAttributes = stream
    ? {
        "ai.usage.inputTokens": o.promptTokens,
        "ai.usage.outputTokens": c,
        "ai.usage.totalTokens": o.promptTokens + c,
        ...(cache.read ? { "ai.usage.cachedInputTokens": cache.read } : {}),
      }
    : { "ai.usage.promptTokens": o.promptTokens, "ai.usage.completionTokens": c };
  Object.assign(call.attributes, response, usage, { "gen_ai.usage.input_tokens": o.promptTokens, "gen_ai.usage.output_tokens": c });
  const durMs = durationMs(b, model, c, o.slow);
  call.endUs = callStart + ms(durMs);
  if (stream) {
    const first = Math.min(r.int(120, 600), Math.floor(durMs * 0.8));
    call.attributes["ai.response.msToFirstChunk"] = first;
    call.events.push({ name: "ai.stream.firstChunk", timeUs: callStart + ms(first), attributes: { "ai.response.msToFirstChunk": first } });
  }
  Object.assign(wrapper.attributes, { "ai.response.finishReason": o.finishReason, "ai.response.text": o.completion }, usage);
  wrapper.endUs = call.endUs + ms(r.int(1, 3));
  return wrapper;
}

/** LiteLLM SDK call: the litellm_request span and its raw_gen_ai_request child (no second call). */
function liteLlmCall(b: TraceBuilder, parent: Draft, service: string, model: ModelSpec, startUs: number, o: LlmCallOptions): Draft {
  const r = b.rand;
  const c = o.completionTokens;
  const attrs: DemoAttributes = {
    hidden_params: json({ model_id: null, api_base: `https://api.${model.system}.example/v1` }),
    "gen_ai.request.model": model.request,
    "llm.request.type": "acompletion",
    "gen_ai.system": model.litellmProvider,
    "gen_ai.request.max_tokens": maxTokens(b),
    "llm.is_streaming": o.streaming ? "True" : "False",
    "gen_ai.response.model": model.response ?? model.request,
    "gen_ai.usage.total_tokens": o.promptTokens + c,
    "gen_ai.usage.output_tokens": c,
    "gen_ai.usage.input_tokens": o.promptTokens,
    "gen_ai.input.messages": json([
      { role: "system", parts: [{ type: "text", content: SYSTEM_PROMPT }] },
      { role: "user", parts: [{ type: "text", content: o.prompt }] },
    ]),
    "gen_ai.operation.name": "acompletion",
    "gen_ai.output.messages": json([{ role: "assistant", parts: [{ type: "text", content: o.completion }], finish_reason: o.finishReason }]),
    "gen_ai.response.finish_reasons": json([o.finishReason]),
  };
  if (o.session?.user) attrs["metadata.user_api_key_end_user_id"] = o.session.user;
  const span = b.open(parent, service, "litellm_request", "client", startUs, attrs);
  const raw = b.open(span, service, "raw_gen_ai_request", "client", startUs + ms(r.int(1, 3)), {
    [`llm.${model.litellmProvider}.model`]: model.request,
    [`llm.${model.litellmProvider}.max_tokens`]: attrs["gen_ai.request.max_tokens"]!,
  });
  raw.endUs = raw.startUs + ms(durationMs(b, model, c, o.slow));
  span.endUs = raw.endUs + ms(r.int(1, 3));
  return span;
}

/** One LLM call in the requested convention; returns the outermost span it created (the AI SDK's wrapper). */
export function llmCall(b: TraceBuilder, parent: Draft, service: string, model: ModelSpec, startUs: number, o: LlmCallOptions): Draft {
  switch (o.convention ?? "openllmetry") {
    case "openllmetry":
      return openllmetryCall(b, parent, service, model, startUs, o);
    case "otel_genai":
      return otelCall(b, parent, service, model, startUs, o);
    case "otel_genai_legacy":
      return otelLegacyCall(b, parent, service, model, startUs, o);
    case "openinference":
      return openInferenceCall(b, parent, service, model, startUs, o);
    case "vercel_ai":
      return vercelCall(b, parent, service, model, startUs, o);
    case "litellm":
      return liteLlmCall(b, parent, service, model, startUs, o);
  }
}
