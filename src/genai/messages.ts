/**
 * Prompt / completion previews and the tool calls a model requested, from every form conventions use
 * to record content:
 * - flattened attributes: OpenLLMetry gen_ai.prompt.{i}.content / gen_ai.completion.{i}.*, OpenInference
 *   llm.input_messages.{i}.message.content (or .contents.{j}.message_content.text) and llm.output_messages;
 * - JSON attributes: gen_ai.input.messages / gen_ai.output.messages / gen_ai.system_instructions (parts,
 *   semconv-genai gen-ai-input-messages.json), the AI SDK's ai.prompt / ai.prompt.messages /
 *   ai.response.text / ai.response.toolCalls, the deprecated gen_ai.prompt / gen_ai.completion JSON;
 * - span events: gen_ai.client.inference.operation.details (the same JSON attributes), the deprecated
 *   per-message events (gen_ai.system/user/assistant/tool.message with `content`, gen_ai.choice with
 *   `message`), and OpenLLMetry's gen_ai.content.prompt / gen_ai.content.completion.
 * The preview is the first message's text (OpenLLMetry's prompt.0 / completion.0), 100 code points.
 */
import type { AttributeValue, Attributes } from "../domain/attributes.js";
import type { Span, SpanEvent } from "../domain/trace.js";

const PREVIEW_CHARS = 100;

export function truncatePreview(text: string): string {
  const chars = Array.from(text);
  return chars.length > PREVIEW_CHARS ? `${chars.slice(0, PREVIEW_CHARS).join("")}...` : text;
}

/** Parsed JSON; a plain string stays a string; text that looks like JSON but is broken (cut by a backend's
 * size limit, say) is nothing rather than a preview full of JSON syntax. */
function parseJson(value: AttributeValue | undefined): unknown {
  if (typeof value !== "string") return value;
  const t = value.trim();
  if (!t.startsWith("[") && !t.startsWith("{")) return value;
  try {
    return JSON.parse(t) as unknown;
  } catch {
    return undefined;
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/** Text of a part list: text parts only (semconv `content`, OpenAI/AI SDK `text`). */
function partsText(parts: unknown[]): string | undefined {
  const texts: string[] = [];
  for (const p of parts) {
    if (typeof p === "string") texts.push(p);
    else if (isObj(p) && (p.type === undefined || p.type === "text")) {
      const t = str(p.content) ?? str(p.text);
      if (t) texts.push(t);
    }
  }
  return texts.length > 0 ? texts.join("\n") : undefined;
}

/** Text of one message in any of the JSON shapes (semconv parts, OpenAI/AI SDK content). */
export function messageText(message: unknown): string | undefined {
  if (typeof message === "string") return str(message);
  if (!isObj(message)) return undefined;
  if (Array.isArray(message.parts)) return partsText(message.parts);
  if (typeof message.content === "string") return str(message.content);
  if (Array.isArray(message.content)) return partsText(message.content);
  if (isObj(message.message)) return messageText(message.message);
  // A bare content block (Bedrock Converse {"text": ...}, as Strands Agents records messages).
  if (typeof message.text === "string") return str(message.text);
  return undefined;
}

/** First message's text of a JSON message list (or a single message / plain string). */
function firstMessageText(value: AttributeValue | undefined): string | undefined {
  const parsed = parseJson(value);
  if (Array.isArray(parsed)) {
    for (const m of parsed) {
      const t = messageText(m);
      if (t) return t;
    }
    return undefined;
  }
  return messageText(parsed);
}

/** The AI SDK's ai.prompt: {"system"?, "prompt"?, "messages"?} as JSON. */
function vercelPromptText(value: AttributeValue | undefined): string | undefined {
  const parsed = parseJson(value);
  if (!isObj(parsed)) return str(parsed);
  return str(parsed.system) ?? (typeof parsed.prompt === "string" ? str(parsed.prompt) : firstMessageText(parsed.prompt as AttributeValue)) ?? firstMessageText(parsed.messages as AttributeValue);
}

const CONTENTS_TEXT: Readonly<Record<string, RegExp>> = {
  "llm.input_messages": /^llm\.input_messages\.0\.message\.contents\.(\d+)\.message_content\.text$/,
  "llm.output_messages": /^llm\.output_messages\.0\.message\.contents\.(\d+)\.message_content\.text$/,
};

/** OpenInference flattened first message of a list (llm.input_messages / llm.output_messages). */
function openInferenceText(attrs: Attributes, list: "llm.input_messages" | "llm.output_messages"): string | undefined {
  const direct = str(attrs[`${list}.0.message.content`]);
  if (direct) return direct;
  // Scan for message.contents only when the message exists at all (the scan reads every key).
  if (attrs[`${list}.0.message.role`] === undefined && attrs[`${list}.0.message.contents.0.message_content.type`] === undefined) return undefined;
  const texts: Array<[number, string]> = [];
  const re = CONTENTS_TEXT[list]!;
  for (const [k, v] of Object.entries(attrs)) {
    const m = re.exec(k);
    if (m && typeof v === "string" && v !== "") texts.push([Number(m[1]), v]);
  }
  return texts.length > 0 ? texts.sort((a, b) => a[0] - b[0]).map(([, t]) => t).join("\n") : undefined;
}

/** Last event of that name with a non-empty string under key (the original's rule for OpenLLMetry events). */
function lastEventString(events: readonly SpanEvent[], name: string, key: string): string | undefined {
  let found: string | undefined;
  for (const e of events) {
    if (e.name !== name) continue;
    const v = e.attributes[key];
    if (typeof v === "string" && v !== "") found = v;
  }
  return found;
}

const DETAILS_EVENT = "gen_ai.client.inference.operation.details";
const INPUT_MESSAGE_EVENTS = new Set(["gen_ai.system.message", "gen_ai.user.message", "gen_ai.assistant.message", "gen_ai.tool.message"]);

function detailsEventText(events: readonly SpanEvent[], key: string): string | undefined {
  for (const e of events) if (e.name === DETAILS_EVENT) {
    const t = firstMessageText(e.attributes[key]);
    if (t) return t;
  }
  return undefined;
}

function deprecatedEventText(events: readonly SpanEvent[], accept: (name: string) => boolean): string | undefined {
  for (const e of events) {
    if (!accept(e.name)) continue;
    const t = firstMessageText(e.attributes.content) ?? firstMessageText(e.attributes.message);
    if (t) return t;
  }
  return undefined;
}

type Source = (span: Span) => string | undefined;

const PROMPT_SOURCES: readonly Source[] = [
  (s) => lastEventString(s.events, "gen_ai.content.prompt", "gen_ai.prompt.0.content") ?? str(s.attributes["gen_ai.prompt.0.content"]),
  (s) => firstMessageText(s.attributes["gen_ai.input.messages"]) ?? firstMessageText(s.attributes["gen_ai.system_instructions"]),
  (s) => openInferenceText(s.attributes, "llm.input_messages"),
  (s) => firstMessageText(s.attributes["ai.prompt.messages"]) ?? vercelPromptText(s.attributes["ai.prompt"]),
  (s) => detailsEventText(s.events, "gen_ai.input.messages"),
  (s) => deprecatedEventText(s.events, (n) => INPUT_MESSAGE_EVENTS.has(n)),
  (s) => firstMessageText(s.attributes["gen_ai.prompt"]) ?? firstMessageText(lastEventString(s.events, "gen_ai.content.prompt", "gen_ai.prompt")),
];

const COMPLETION_SOURCES: readonly Source[] = [
  (s) => lastEventString(s.events, "gen_ai.content.completion", "gen_ai.completion.0.content") ?? str(s.attributes["gen_ai.completion.0.content"]),
  (s) => firstMessageText(s.attributes["gen_ai.output.messages"]),
  (s) => openInferenceText(s.attributes, "llm.output_messages"),
  (s) => str(s.attributes["ai.response.text"]) ?? str(s.attributes["ai.response.object"]),
  (s) => detailsEventText(s.events, "gen_ai.output.messages"),
  (s) => deprecatedEventText(s.events, (n) => n === "gen_ai.choice"),
  (s) => firstMessageText(s.attributes["gen_ai.completion"]) ?? firstMessageText(lastEventString(s.events, "gen_ai.content.completion", "gen_ai.completion")),
];

function firstOf(span: Span, sources: readonly Source[]): string | undefined {
  for (const source of sources) {
    const t = source(span);
    if (t) return truncatePreview(t);
  }
  return undefined;
}

export function promptPreview(span: Span): string | undefined {
  return firstOf(span, PROMPT_SOURCES);
}

export function completionPreview(span: Span): string | undefined {
  return firstOf(span, COMPLETION_SOURCES);
}

/** Tool-call names in semconv output messages (parts of type tool_call). */
function toolCallsInMessages(value: AttributeValue | undefined): string[] {
  const parsed = parseJson(value);
  if (!Array.isArray(parsed)) return [];
  const names: string[] = [];
  for (const m of parsed) {
    if (!isObj(m) || !Array.isArray(m.parts)) continue;
    for (const p of m.parts) if (isObj(p) && p.type === "tool_call" && str(p.name)) names.push(String(p.name));
  }
  return names;
}

const FLATTENED_TOOL_CALLS: readonly RegExp[] = [
  // OpenLLMetry: gen_ai.completion.{i}.tool_calls.{j}.name; LiteLLM / older OpenLLMetry: .function_call.name
  /^gen_ai\.completion\.(\d+)\.tool_calls\.(\d+)\.name$/,
  /^gen_ai\.completion\.(\d+)\.function_call\.name$/,
  // OpenInference
  /^llm\.output_messages\.(\d+)\.message\.tool_calls\.(\d+)\.tool_call\.function\.name$/,
];

/** Names of the tools the model asked to call, in order (duplicates kept: two calls are two calls). */
export function requestedToolCalls(span: Span): string[] | undefined {
  const a = span.attributes;
  let names = toolCallsInMessages(a["gen_ai.output.messages"]);
  if (names.length === 0) {
    // One pass over the keys; the first pattern (in FLATTENED_TOOL_CALLS order) that matches anything wins.
    const found: Array<Array<[number, number, string]>> = FLATTENED_TOOL_CALLS.map(() => []);
    for (const [k, v] of Object.entries(a)) {
      if (typeof v !== "string" || v === "" || !(k.startsWith("gen_ai.completion.") || k.startsWith("llm.output_messages."))) continue;
      FLATTENED_TOOL_CALLS.forEach((re, i) => {
        const m = re.exec(k);
        if (m) found[i]!.push([Number(m[1]), Number(m[2] ?? 0), v]);
      });
    }
    const first = found.find((f) => f.length > 0);
    if (first) names = first.sort((x, y) => x[0] - y[0] || x[1] - y[1]).map(([, , v]) => v);
  }
  if (names.length === 0) {
    const calls = parseJson(a["ai.response.toolCalls"]);
    if (Array.isArray(calls)) for (const c of calls) if (isObj(c) && str(c.toolName)) names.push(String(c.toolName));
  }
  if (names.length === 0) {
    for (const e of span.events) if (e.name === DETAILS_EVENT) names.push(...toolCallsInMessages(e.attributes["gen_ai.output.messages"]));
  }
  return names.length > 0 ? names : undefined;
}
