/**
 * The one GenAI normaliser: a span -> one LLM-call view (`LlmCall`), whatever convention recorded it
 * (OpenLLMetry, OTel GenAI old and current names, OpenInference, the Vercel AI SDK, LiteLLM). Spans that
 * are not model calls (AI SDK wrappers, OpenInference CHAIN/AGENT/TOOL, traceloop workflow/task/agent/
 * tool, invoke_agent/execute_tool operations, plain HTTP) get no view, so each call is counted once.
 *
 * Views are memoised per span object (spans are immutable once built), so tools may ask repeatedly.
 */
import { attrNumber, toBool, toNumber, type Attributes } from "../domain/attributes.js";
import type { Span } from "../domain/trace.js";
import { CONVENTION_KEYS, TOOL_SPAN_RULES, VERCEL_STREAM_OPERATION_IDS, type Convention } from "./conventions.js";
import { normalizeFinishReason, rawFinishReasons, type FinishReason } from "./finish-reasons.js";
import { completionPreview, promptPreview, requestedToolCalls } from "./messages.js";
import { asciiLower, normalizeProvider } from "./providers.js";
import { detectConvention, firstString, isCallSpan, rawProvider, readSource, readTokens, scalarString, type Tokens } from "./read.js";
import { sessionIdOf, userIdOf } from "./sessions.js";

export type { Convention } from "./conventions.js";
export type { Tokens } from "./read.js";

export interface LlmCall {
  /** The convention the view was read from (see conventions.ts for the detection order). */
  convention: Convention;
  /** Normalised to the semconv well-known values (openai, anthropic, aws.bedrock, ...); unknown ones as recorded. */
  provider?: string;
  /** The provider value as recorded. */
  providerRaw?: string;
  /** Normalised operation: chat, text_completion, embeddings, rerank, generate_content, ... */
  operation?: string;
  requestModel?: string;
  responseModel?: string;
  /** Response model, else request model. */
  model?: string;
  /** input includes cache reads/writes, output includes reasoning, total = recorded else input + output. */
  tokens: Tokens;
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  streaming: boolean;
  timeToFirstTokenMs?: number;
  /** As recorded (vendor values kept). */
  finishReasons?: string[];
  /** The same, in the normalised vocabulary (finish-reasons.ts). */
  finishReasonsNormalized?: FinishReason[];
  promptPreview?: string;
  completionPreview?: string;
  /** Names of the tools the model asked to call. */
  toolCalls?: string[];
  sessionId?: string;
  userId?: string;
}

/** The convention of a span (undefined when it carries no GenAI attributes). */
export function spanConvention(span: Span): Convention | undefined {
  return detectConvention(span.attributes);
}

/** Normalised operation of any GenAI span (also tool and agent spans: execute_tool, invoke_agent). */
export function spanOperation(span: Span): string | undefined {
  const convention = detectConvention(span.attributes);
  return convention === undefined ? undefined : readSource(span.attributes, CONVENTION_KEYS[convention].operation);
}

const STREAM_FLAGS = ["gen_ai.request.stream", "gen_ai.request.is_streaming", "gen_ai.is_streaming", "llm.is_streaming"] as const;

function invocationParameters(attrs: Attributes): Record<string, unknown> | undefined {
  const raw = attrs["llm.invocation_parameters"];
  if (typeof raw !== "string") return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function timeToFirstTokenMs(span: Span): number | undefined {
  const a = span.attributes;
  const seconds = toNumber(a["gen_ai.response.time_to_first_chunk"]);
  if (seconds !== undefined && seconds >= 0) return seconds * 1000;
  for (const key of ["ai.response.msToFirstChunk", "ai.stream.msToFirstChunk"]) {
    const ms = toNumber(a[key]);
    if (ms !== undefined && ms >= 0) return ms;
  }
  for (const e of span.events) {
    if (e.name !== "ai.stream.firstChunk") continue;
    for (const key of ["ai.response.msToFirstChunk", "ai.stream.msToFirstChunk"]) {
      const ms = toNumber(e.attributes[key]);
      if (ms !== undefined && ms >= 0) return ms;
    }
  }
  return undefined;
}

function streaming(attrs: Attributes, convention: Convention, params: Record<string, unknown> | undefined, ttft: number | undefined): boolean {
  if (convention === "vercel_ai") {
    return (VERCEL_STREAM_OPERATION_IDS as readonly string[]).includes(scalarString(attrs, "ai.operationId") ?? "");
  }
  for (const key of STREAM_FLAGS) {
    const v = toBool(attrs[key]);
    if (v !== undefined) return v;
  }
  const fromParams = toBool(params?.stream);
  if (fromParams !== undefined) return fromParams;
  return ttft !== undefined;
}

function param(attrs: Attributes, key: string, params: Record<string, unknown> | undefined, names: readonly string[]): number | undefined {
  const direct = attrNumber(attrs, key);
  if (direct !== undefined) return direct;
  for (const n of names) {
    const v = toNumber(params?.[n]);
    if (v !== undefined) return v;
  }
  return undefined;
}

function build(span: Span): LlmCall | undefined {
  const attrs = span.attributes;
  const convention = detectConvention(attrs);
  if (convention === undefined || !isCallSpan(attrs, convention)) return undefined;
  const keys = CONVENTION_KEYS[convention];
  const providerRaw = rawProvider(attrs, convention);
  const requestModel = firstString(attrs, keys.requestModel);
  const responseModel = firstString(attrs, keys.responseModel);
  const params = convention === "openinference" ? invocationParameters(attrs) : undefined;
  const ttft = timeToFirstTokenMs(span);
  const finishReasons = rawFinishReasons(attrs, span.events);
  const call: LlmCall = {
    convention,
    tokens: readTokens(attrs, convention),
    streaming: streaming(attrs, convention, params, ttft),
  };
  const set = <K extends keyof LlmCall>(key: K, value: LlmCall[K] | undefined): void => {
    if (value !== undefined) call[key] = value;
  };
  set("provider", providerRaw === undefined ? undefined : normalizeProvider(providerRaw));
  set("providerRaw", providerRaw);
  set("operation", readSource(attrs, keys.operation));
  set("requestModel", requestModel);
  set("responseModel", responseModel);
  set("model", responseModel ?? requestModel);
  set("temperature", param(attrs, "gen_ai.request.temperature", params, ["temperature"]));
  set("topP", param(attrs, "gen_ai.request.top_p", params, ["top_p", "topP"]));
  const maxTokens = param(attrs, "gen_ai.request.max_tokens", params, ["max_tokens", "max_completion_tokens", "maxOutputTokens"]);
  set("maxTokens", maxTokens !== undefined && Number.isInteger(maxTokens) ? maxTokens : undefined);
  set("timeToFirstTokenMs", ttft);
  set("finishReasons", finishReasons);
  set("finishReasonsNormalized", finishReasons?.map(normalizeFinishReason));
  set("promptPreview", promptPreview(span));
  set("completionPreview", completionPreview(span));
  set("toolCalls", requestedToolCalls(span));
  set("sessionId", sessionIdOf(attrs));
  set("userId", userIdOf(attrs));
  return Object.freeze(call);
}

const memo = new WeakMap<Span, LlmCall | null>();

/** The LLM-call view of a span, or undefined when the span is not a model call. */
export function normalizeSpan(span: Span): LlmCall | undefined {
  let v = memo.get(span);
  if (v === undefined) {
    v = build(span) ?? null;
    memo.set(span, v);
  }
  return v ?? undefined;
}

/** An LLM call, counted once (an AI SDK wrapper, an agent or a chain is not). */
export function isLlmCall(span: Span): boolean {
  return normalizeSpan(span) !== undefined;
}

export interface ToolSpan {
  convention: Convention;
  /** The tool's name (falls back to the span name when the convention's name attribute is missing). */
  toolName: string;
}

/** A tool-execution span in any convention (traceloop tool, execute_tool, OpenInference TOOL, ai.toolCall). */
export function toolSpan(span: Span): ToolSpan | undefined {
  const a = span.attributes;
  for (const rule of TOOL_SPAN_RULES) {
    const v = scalarString(a, rule.key);
    if (v === undefined || asciiLower(v) !== asciiLower(rule.value)) continue;
    return { convention: rule.convention, toolName: firstString(a, rule.name) ?? span.operationName };
  }
  return undefined;
}
