/**
 * The pure half of the demo generator: a seeded plan of a realistic LLM application's traces
 * (gateway -> agent -> retrieval/tools, research agents, ingestion jobs) as plain data. No I/O
 * and no clock: the same seed, trace count and `nowMs` always give the same plan.
 */
import type { DemoAttributes, DemoLabel, DemoPlan, DemoPlanOptions, DemoSpan, DemoSpanKind, DemoStatus, DemoTrace } from "./types.js";

export const DEMO_SERVICES = ["chat-gateway", "agent-orchestrator", "rag-retriever", "tool-runner"] as const;

/** How far back the plan reaches; inside Jaeger's and Tempo's default search windows. */
export const DEMO_SPREAD_MS = 30 * 60_000;

/** Small seeded PRNG (mulberry32): fast, good enough, identical on every platform. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Rand {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  float(): number {
    return this.next();
  }
  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  /** Lowercase hex, never all zeros (an all-zero id is invalid in OpenTelemetry). */
  hex(chars: number): string {
    for (;;) {
      let out = "";
      while (out.length < chars) out += Math.floor(this.next() * 0x100000000).toString(16).padStart(8, "0");
      out = out.slice(0, chars);
      if (/[1-9a-f]/.test(out)) return out;
    }
  }
}

interface ModelSpec {
  system: string;
  /** OpenLLMetry span name. */
  spanName: string;
  request: string;
  /** Absent: the provider does not echo a model (tools then fall back to the request model). */
  response?: string;
  operation: "chat" | "embeddings";
  /** Milliseconds per completion token (latency model). */
  msPerToken: number;
  /** How usage is reported: which keys, and whether a total is present. */
  usage: "openai" | "anthropic" | "cohere" | "mistral" | "embedding";
}

export const DEMO_MODELS = {
  gpt4o: { system: "openai", spanName: "openai.chat", request: "gpt-4o", response: "gpt-4o-2024-08-06", operation: "chat", msPerToken: 12, usage: "openai" },
  gpt4oMini: { system: "openai", spanName: "openai.chat", request: "gpt-4o-mini", response: "gpt-4o-mini-2024-07-18", operation: "chat", msPerToken: 6, usage: "openai" },
  o3Mini: { system: "openai", spanName: "openai.chat", request: "o3-mini", response: "o3-mini-2025-01-31", operation: "chat", msPerToken: 9, usage: "openai" },
  embedSmall: { system: "openai", spanName: "openai.embeddings", request: "text-embedding-3-small", response: "text-embedding-3-small", operation: "embeddings", msPerToken: 0, usage: "embedding" },
  sonnet: { system: "anthropic", spanName: "anthropic.chat", request: "claude-3-5-sonnet", response: "claude-3-5-sonnet-20241022", operation: "chat", msPerToken: 14, usage: "anthropic" },
  haiku: { system: "anthropic", spanName: "anthropic.chat", request: "claude-3-5-haiku", response: "claude-3-5-haiku-20241022", operation: "chat", msPerToken: 7, usage: "anthropic" },
  commandR: { system: "cohere", spanName: "cohere.chat", request: "command-r-plus", operation: "chat", msPerToken: 10, usage: "cohere" },
  embedCohere: { system: "cohere", spanName: "cohere.embed", request: "embed-english-v3.0", operation: "embeddings", msPerToken: 0, usage: "embedding" },
  mistralLarge: { system: "mistral", spanName: "mistral.chat", request: "mistral-large-latest", response: "mistral-large-2411", operation: "chat", msPerToken: 11, usage: "mistral" },
} as const satisfies Record<string, ModelSpec>;

const TOOLS = {
  web_search: { host: "api.search.example", path: "/v1/search" },
  fetch_url: { host: "docs.example.com", path: "/guides/refunds" },
  lookup_order: { db: "orders" },
  get_weather: { host: "api.weather.example", path: "/v2/current" },
  create_ticket: { host: "helpdesk.example", path: "/api/tickets" },
  calculator: {},
} as const;
type ToolName = keyof typeof TOOLS;

const QUESTIONS = [
  "Where is my order #A-1042?",
  "Can I get a refund for a damaged item?",
  "What's the weather in Lisbon for my delivery day?",
  "How do I reset my account password?",
  "Compare the premium and basic plans for me.",
  "Why was I charged twice this month?",
] as const;

const RESEARCH_TOPICS = [
  "vector database pricing in 2025",
  "EU AI Act obligations for chatbots",
  "retrieval-augmented generation evaluation methods",
  "carbon footprint of LLM inference",
] as const;

const STACK_BASE = [
  "    at processTicksAndRejections (node:internal/process/task_queues:95:5)",
  "    at async AgentExecutor.run (/app/node_modules/@acme/agents/dist/executor.js:211:17)",
  "    at async Workflow.execute (/app/dist/workflows/runner.js:88:9)",
];

function stack(type: string, message: string, frame: string): string {
  return [`${type}: ${message}`, `    at ${frame}`, ...STACK_BASE].join("\n");
}

const ms = (n: number) => Math.round(n * 1000);

/** Mutable span under construction; `end` is set once the children are laid out. */
interface Draft extends DemoSpan {}

class TraceBuilder {
  readonly spans: Draft[] = [];
  readonly labels = new Set<DemoLabel>();
  constructor(
    readonly rand: Rand,
    readonly traceId: string,
  ) {}

  open(parent: Draft | null, service: string, name: string, kind: DemoSpanKind, startUs: number, attributes: DemoAttributes): Draft {
    const span: Draft = {
      spanId: this.rand.hex(16),
      parentSpanId: parent ? parent.spanId : null,
      service,
      name,
      kind,
      startUs,
      endUs: startUs,
      attributes,
      events: [],
      status: { code: "UNSET" },
    };
    this.spans.push(span);
    return span;
  }

  fail(span: Draft, type: string, message: string, frame: string, atUs: number, status?: DemoStatus): void {
    span.status = status ?? { code: "ERROR", message };
    span.attributes["error.type"] = type;
    span.events.push({
      name: "exception",
      timeUs: atUs,
      attributes: { "exception.type": type, "exception.message": message, "exception.stacktrace": stack(type, message, frame) },
    });
  }
}

interface LlmCallOptions {
  prompt: string;
  completion: string;
  promptTokens: number;
  completionTokens: number;
  finishReason: string;
  streaming?: boolean;
  slow?: boolean;
  rateLimited?: boolean;
}

/** One LLM call span with OpenLLMetry attributes; returns its end time. */
function llmCall(b: TraceBuilder, parent: Draft, service: string, model: ModelSpec, startUs: number, o: LlmCallOptions): Draft {
  const r = b.rand;
  const attrs: DemoAttributes = {
    "gen_ai.system": model.system,
    "gen_ai.request.model": model.request,
    "gen_ai.operation.name": model.operation,
    "llm.request.type": model.operation === "chat" ? "chat" : "embedding",
  };
  if (model.operation === "chat") {
    // Never an integer: the OTLP encoder would send 1.0 as intValue.
    attrs["gen_ai.request.temperature"] = r.pick([0.2, 0.3, 0.5, 0.7]);
    attrs["gen_ai.request.max_tokens"] = r.pick([512, 1024, 2048, 4096]);
    attrs["gen_ai.request.is_streaming"] = o.streaming ?? false;
    attrs["gen_ai.prompt.0.role"] = "system";
    attrs["gen_ai.prompt.0.content"] = "You are a helpful assistant for Acme Store. Answer concisely.";
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
  }
  const p = o.promptTokens;
  const c = model.operation === "chat" ? o.completionTokens : 0;
  switch (model.usage) {
    case "openai":
      attrs["gen_ai.usage.prompt_tokens"] = p;
      attrs["gen_ai.usage.completion_tokens"] = c;
      attrs["gen_ai.usage.total_tokens"] = p + c;
      if (model.request === "o3-mini") attrs["gen_ai.usage.reasoning_tokens"] = Math.floor(c * 0.6);
      break;
    case "anthropic": {
      attrs["gen_ai.usage.prompt_tokens"] = p;
      attrs["gen_ai.usage.completion_tokens"] = c;
      // Prompt caching on long system prompts; without a reported total the counters are summed.
      const cached = r.chance(0.6);
      if (cached) {
        const read = r.int(800, 3000);
        const created = r.chance(0.3) ? r.int(200, 1200) : 0;
        attrs["gen_ai.usage.cache_read_input_tokens"] = read;
        if (created) attrs["gen_ai.usage.cache_creation_input_tokens"] = created;
        b.labels.add("cache_tokens");
      }
      if (!cached || r.chance(0.5)) attrs["gen_ai.usage.total_tokens"] = p + c;
      break;
    }
    case "cohere":
      attrs["gen_ai.usage.input_tokens"] = p;
      attrs["gen_ai.usage.output_tokens"] = c;
      break;
    case "mistral":
      // Some instrumentations report both spellings of the same quantity.
      attrs["gen_ai.usage.prompt_tokens"] = p;
      attrs["gen_ai.usage.input_tokens"] = p;
      attrs["gen_ai.usage.completion_tokens"] = c;
      attrs["gen_ai.usage.output_tokens"] = c;
      break;
    case "embedding":
      if (model.system === "cohere") attrs["gen_ai.usage.input_tokens"] = p;
      else {
        attrs["gen_ai.usage.prompt_tokens"] = p;
        attrs["gen_ai.usage.total_tokens"] = p;
      }
      break;
  }
  let durMs = model.operation === "chat" ? r.int(250, 700) + c * model.msPerToken + r.int(0, 999) / 1000 : r.int(40, 180) + r.int(0, 999) / 1000;
  if (o.slow) {
    // At least 10x, and slower than any normal trace, so outliers lead the slow-trace ranking.
    durMs = Math.max(durMs * 10, 60_000 + r.int(0, 30_000) + r.int(0, 999) / 1000);
    b.labels.add("slow_outlier");
  }
  span.endUs = startUs + ms(durMs);
  return span;
}

function httpClient(b: TraceBuilder, parent: Draft, service: string, method: string, host: string, path: string, startUs: number, durMs: number, status: number): Draft {
  const span = b.open(parent, service, `${method} ${path}`, "client", startUs, {
    "http.request.method": method,
    "url.full": `https://${host}${path}`,
    "server.address": host,
    "server.port": 443,
    "http.response.status_code": status,
  });
  span.endUs = startUs + ms(durMs);
  return span;
}

/** An internal service call: client span in the caller, server span in the callee. */
function rpc(b: TraceBuilder, parent: Draft, from: string, to: string, path: string, startUs: number, body: (server: Draft, atUs: number) => number): { client: Draft; server: Draft } {
  const client = b.open(parent, from, `POST ${path}`, "client", startUs, {
    "http.request.method": "POST",
    "url.full": `http://${to}:8080${path}`,
    "server.address": to,
    "server.port": 8080,
  });
  const serverStart = startUs + ms(b.rand.int(1, 4));
  const server = b.open(client, to, `POST ${path}`, "server", serverStart, {
    "http.request.method": "POST",
    "http.route": path,
    "url.path": path,
    "url.scheme": "http",
  });
  const end = body(server, serverStart + ms(b.rand.int(1, 3)));
  server.endUs = end + ms(b.rand.int(1, 3));
  const failed = server.status.code === "ERROR";
  server.attributes["http.response.status_code"] = failed ? 500 : 200;
  client.attributes["http.response.status_code"] = failed ? 500 : 200;
  client.endUs = server.endUs + ms(b.rand.int(1, 4));
  if (failed) {
    server.attributes["error.type"] = "500";
    client.attributes["error.type"] = "500";
    client.status = { code: "ERROR" };
  }
  return { client, server };
}

function dbQuery(b: TraceBuilder, parent: Draft, service: string, op: string, table: string, statement: string, startUs: number, durMs: number): Draft {
  const span = b.open(parent, service, `${op} ${table}`, "client", startUs, {
    "db.system": "postgresql",
    "db.namespace": "acme",
    "db.operation.name": op,
    "db.collection.name": table,
    "db.query.text": statement,
    "server.address": "pg-primary.internal",
    "server.port": 5432,
  });
  span.endUs = startUs + ms(durMs);
  return span;
}

/** A tool call in tool-runner, with its own outgoing HTTP or database span. */
function toolCall(b: TraceBuilder, parent: Draft, tool: ToolName, startUs: number, input: string, fail: boolean): Draft {
  const r = b.rand;
  const span = b.open(parent, "tool-runner", `${tool}.tool`, "internal", startUs, {
    "traceloop.span.kind": "tool",
    "traceloop.entity.name": tool,
    "traceloop.entity.input": JSON.stringify({ query: input }),
  });
  const spec: { host?: string; path?: string; db?: string } = TOOLS[tool];
  let t = startUs + ms(r.int(1, 5));
  if (spec.host && spec.path) {
    const durMs = fail ? 5000 + r.int(0, 999) / 1000 : r.int(30, 600) + r.int(0, 999) / 1000;
    const http = httpClient(b, span, "tool-runner", tool === "create_ticket" ? "POST" : "GET", spec.host, spec.path, t, durMs, fail ? 504 : 200);
    if (fail) {
      http.attributes["error.type"] = "504";
      http.status = { code: "ERROR" };
    }
    t = http.endUs;
  } else if (spec.db) {
    const q = dbQuery(b, span, "tool-runner", "SELECT", spec.db, `SELECT id, status, eta FROM ${spec.db} WHERE id = $1`, t, fail ? 30000 : r.int(2, 40) + r.int(0, 999) / 1000);
    if (fail) {
      b.fail(q, "QueryCanceledError", "canceling statement due to statement timeout", "Client.query (/app/node_modules/pg/lib/client.js:526:17)", q.endUs);
      b.labels.add("db_error");
    }
    t = q.endUs;
  } else {
    t += ms(r.int(1, 10));
  }
  span.endUs = t + ms(r.int(1, 5));
  if (fail) {
    const message = spec.db ? `lookup_order failed: canceling statement due to statement timeout` : `${tool} timed out after 5000 ms`;
    b.fail(span, spec.db ? "ToolExecutionError" : "TimeoutError", message, `Tool.invoke (/app/dist/tools/${tool}.js:37:11)`, span.endUs - 500);
    b.labels.add("tool_error");
  } else {
    span.attributes["traceloop.entity.output"] = JSON.stringify({ ok: true, results: r.int(1, 8) });
  }
  return span;
}

interface Flags {
  slow: boolean;
  rateLimit: boolean;
  rateLimitFatal: boolean;
  toolError: boolean;
}

function supportChat(b: TraceBuilder, t0: number, f: Flags): void {
  const r = b.rand;
  const question = r.pick(QUESTIONS);
  const root = b.open(null, "chat-gateway", "customer_support_chat.workflow", "server", t0, {
    "traceloop.span.kind": "workflow",
    "traceloop.workflow.name": "customer_support_chat",
    "traceloop.entity.name": "customer_support_chat",
    "http.request.method": "POST",
    "http.route": "/v1/chat",
    "url.path": "/v1/chat",
    "user_agent.original": "acme-web/3.4.1",
    "session.id": `sess-${r.hex(8)}`,
  });
  let failedAgent = false;
  const call = rpc(b, root, "chat-gateway", "agent-orchestrator", "/agent/run", t0 + ms(r.int(2, 8)), (server, at) => {
    const agent = b.open(server, "agent-orchestrator", "support_agent.agent", "internal", at, {
      "traceloop.span.kind": "agent",
      "traceloop.entity.name": "support_agent",
      "traceloop.workflow.name": "customer_support_chat",
    });
    let t = at + ms(r.int(1, 4));
    // Retrieval: embeddings + vector search + document fetch in rag-retriever.
    const retrieve = rpc(b, agent, "agent-orchestrator", "rag-retriever", "/retrieve", t, (rs, at2) => {
      const task = b.open(rs, "rag-retriever", "retrieve_context.task", "internal", at2, {
        "traceloop.span.kind": "task",
        "traceloop.entity.name": "retrieve_context",
      });
      const emb = llmCall(b, task, "rag-retriever", DEMO_MODELS.embedSmall, at2 + ms(1), {
        prompt: question,
        completion: "",
        promptTokens: r.int(8, 40),
        completionTokens: 0,
        finishReason: "stop",
      });
      const vec = b.open(task, "rag-retriever", "qdrant.search", "client", emb.endUs + ms(1), {
        "db.system": "qdrant",
        "db.operation.name": "search",
        "db.collection.name": "support_articles",
        "db.vector.query.top_k": 5,
      });
      vec.endUs = vec.startUs + ms(r.int(5, 60) + r.int(0, 999) / 1000);
      const docs = dbQuery(b, task, "rag-retriever", "SELECT", "documents", "SELECT id, title, body FROM documents WHERE id = ANY($1)", vec.endUs + ms(1), r.int(3, 30) + r.int(0, 999) / 1000);
      task.endUs = docs.endUs + ms(1);
      return task.endUs;
    });
    t = retrieve.client.endUs + ms(r.int(1, 5));
    const planner = r.chance(0.5) ? DEMO_MODELS.gpt4o : DEMO_MODELS.sonnet;
    const steps = r.int(1, 3);
    for (let s = 0; s < steps; s++) {
      const last = s === steps - 1;
      if (f.rateLimit && s === 0) {
        const limited = llmCall(b, agent, "agent-orchestrator", DEMO_MODELS.gpt4o, t, {
          prompt: question,
          completion: "",
          promptTokens: r.int(600, 1800),
          completionTokens: 0,
          finishReason: "stop",
          rateLimited: true,
        });
        t = limited.endUs + ms(r.int(200, 900));
        if (f.rateLimitFatal) {
          const again = llmCall(b, agent, "agent-orchestrator", DEMO_MODELS.gpt4o, t, {
            prompt: question,
            completion: "",
            promptTokens: r.int(600, 1800),
            completionTokens: 0,
            finishReason: "stop",
            rateLimited: true,
          });
          agent.endUs = again.endUs + ms(2);
          b.fail(agent, "RateLimitError", "support_agent gave up after 2 rate-limited attempts", "SupportAgent.plan (/app/dist/agents/support.js:64:15)", agent.endUs - 1000);
          failedAgent = true;
          return agent.endUs;
        }
      }
      const model = last ? r.pick([DEMO_MODELS.gpt4oMini, DEMO_MODELS.gpt4oMini, DEMO_MODELS.commandR, DEMO_MODELS.haiku]) : planner;
      const call = llmCall(b, agent, "agent-orchestrator", model, t, {
        prompt: last ? `Answer the customer: ${question}` : `Decide the next tool for: ${question}`,
        completion: last ? "Thanks for reaching out! Here is what I found..." : '{"tool": "lookup_order"}',
        promptTokens: r.int(400, 2500),
        completionTokens: last ? r.int(80, 450) : r.int(15, 90),
        finishReason: last ? "stop" : "tool_calls",
        streaming: last,
        slow: f.slow && last,
      });
      t = call.endUs + ms(r.int(1, 5));
      if (!last) {
        const tool = r.pick<ToolName>(["lookup_order", "get_weather", "create_ticket", "calculator", "fetch_url"]);
        const fail = f.toolError && s === 0;
        const tc = rpc(b, agent, "agent-orchestrator", "tool-runner", "/tools/invoke", t, (ts, at3) => {
          const span = toolCall(b, ts, tool, at3, question, fail);
          if (fail) ts.status = { code: "ERROR", message: `tool ${tool} failed` };
          return span.endUs;
        });
        t = tc.client.endUs + ms(r.int(1, 5));
      }
    }
    agent.endUs = t;
    return agent.endUs;
  });
  if (failedAgent) {
    call.server.status = { code: "ERROR", message: "agent failed" };
    call.server.attributes["http.response.status_code"] = 503;
    call.client.attributes["http.response.status_code"] = 503;
    call.server.attributes["error.type"] = "503";
    call.client.attributes["error.type"] = "503";
    call.client.status = { code: "ERROR" };
    root.attributes["http.response.status_code"] = 503;
    root.attributes["error.type"] = "503";
    root.status = { code: "ERROR", message: "upstream agent-orchestrator returned 503" };
    b.labels.add("failed_request");
  } else {
    root.attributes["http.response.status_code"] = 200;
  }
  root.endUs = call.client.endUs + ms(r.int(1, 6));
}

function research(b: TraceBuilder, t0: number, f: Flags): void {
  const r = b.rand;
  const topic = r.pick(RESEARCH_TOPICS);
  const root = b.open(null, "agent-orchestrator", "research_report.workflow", "internal", t0, {
    "traceloop.span.kind": "workflow",
    "traceloop.workflow.name": "research_report",
    "traceloop.entity.name": "research_report",
    "report.topic": topic,
  });
  const agent = b.open(root, "agent-orchestrator", "researcher.agent", "internal", t0 + ms(r.int(1, 3)), {
    "traceloop.span.kind": "agent",
    "traceloop.entity.name": "researcher",
    "traceloop.workflow.name": "research_report",
  });
  let t = agent.startUs + ms(r.int(1, 3));
  const rounds = r.int(2, 3);
  for (let i = 0; i < rounds; i++) {
    const plan = llmCall(b, agent, "agent-orchestrator", DEMO_MODELS.sonnet, t, {
      prompt: `Research ${topic}. Round ${i + 1}: what should we search next?`,
      completion: '{"tool": "web_search"}',
      promptTokens: r.int(1200, 4000),
      completionTokens: r.int(20, 120),
      finishReason: "tool_use",
    });
    t = plan.endUs + ms(r.int(1, 4));
    const tool: ToolName = i % 2 === 0 ? "web_search" : "fetch_url";
    const fail = f.toolError && i === rounds - 1;
    const tc = rpc(b, agent, "agent-orchestrator", "tool-runner", "/tools/invoke", t, (ts, at) => {
      const span = toolCall(b, ts, tool, at, topic, fail);
      if (fail) ts.status = { code: "ERROR", message: `tool ${tool} failed` };
      return span.endUs;
    });
    t = tc.client.endUs + ms(r.int(1, 4));
  }
  const critic = llmCall(b, agent, "agent-orchestrator", DEMO_MODELS.o3Mini, t, {
    prompt: `Critique the findings on ${topic}.`,
    completion: "The evidence is mostly consistent; two sources disagree on pricing.",
    promptTokens: r.int(1500, 3500),
    completionTokens: r.int(200, 900),
    finishReason: "stop",
  });
  t = critic.endUs + ms(r.int(1, 4));
  agent.endUs = t;
  const writer = b.open(root, "agent-orchestrator", "write_report.task", "internal", t + ms(1), {
    "traceloop.span.kind": "task",
    "traceloop.entity.name": "write_report",
  });
  const model = r.pick([DEMO_MODELS.mistralLarge, DEMO_MODELS.haiku, DEMO_MODELS.sonnet]);
  const draft = llmCall(b, writer, "agent-orchestrator", model, writer.startUs + ms(1), {
    prompt: `Write a one-page report on ${topic}.`,
    completion: `# ${topic}\n\nSummary: ...`,
    promptTokens: r.int(2000, 6000),
    completionTokens: r.int(300, 900),
    finishReason: r.chance(0.15) ? "length" : "stop",
    slow: f.slow,
  });
  writer.endUs = draft.endUs + ms(r.int(1, 4));
  const save = dbQuery(b, root, "agent-orchestrator", "INSERT", "reports", "INSERT INTO reports (topic, body) VALUES ($1, $2)", writer.endUs + ms(1), r.int(2, 15) + r.int(0, 999) / 1000);
  root.endUs = save.endUs + ms(1);
}

function ingest(b: TraceBuilder, t0: number, f: Flags): void {
  const r = b.rand;
  const root = b.open(null, "rag-retriever", "ingest_documents.workflow", "internal", t0, {
    "traceloop.span.kind": "workflow",
    "traceloop.workflow.name": "ingest_documents",
    "traceloop.entity.name": "ingest_documents",
  });
  const fetch = httpClient(b, root, "rag-retriever", "GET", "cms.example.com", "/api/articles", t0 + ms(1), r.int(40, 300) + r.int(0, 999) / 1000, 200);
  let t = fetch.endUs + ms(1);
  const batches = r.int(1, 3);
  for (let i = 0; i < batches; i++) {
    const task = b.open(root, "rag-retriever", "embed_batch.task", "internal", t, {
      "traceloop.span.kind": "task",
      "traceloop.entity.name": "embed_batch",
      "batch.index": i,
    });
    const emb = llmCall(b, task, "rag-retriever", DEMO_MODELS.embedCohere, t + ms(1), {
      prompt: `batch ${i} of support articles`,
      completion: "",
      promptTokens: r.int(2000, 9000),
      completionTokens: 0,
      finishReason: "stop",
    });
    const ins = dbQuery(b, task, "rag-retriever", "INSERT", "chunks", "INSERT INTO chunks (doc_id, embedding) VALUES ($1, $2)", emb.endUs + ms(1), r.int(5, 60) + r.int(0, 999) / 1000);
    if (f.toolError && i === batches - 1) {
      b.fail(ins, "UniqueViolationError", 'duplicate key value violates unique constraint "chunks_pkey"', "Client.query (/app/node_modules/pg/lib/client.js:526:17)", ins.endUs);
      b.labels.add("db_error");
    }
    task.endUs = ins.endUs + ms(1);
    t = task.endUs + ms(1);
  }
  const summary = llmCall(b, root, "rag-retriever", DEMO_MODELS.gpt4oMini, t, {
    prompt: "Summarise the new articles in three bullet points.",
    completion: "- Refund policy updated\n- New shipping zones\n- Password reset flow",
    promptTokens: r.int(1000, 3000),
    completionTokens: r.int(60, 200),
    finishReason: "stop",
    slow: f.slow,
  });
  root.endUs = summary.endUs + ms(1);
}

/** Builds the whole plan. Every few traces are forced interesting so small plans still cover each case. */
export function buildDemoPlan(options: DemoPlanOptions): DemoPlan {
  const { seed, nowMs } = options;
  const count = Math.max(1, Math.floor(options.traces));
  const rand = new Rand(seed);
  const windowStartMs = nowMs - DEMO_SPREAD_MS;
  // The last 4 minutes stay free so even the slowest trace ends before nowMs.
  const slotUs = ms((DEMO_SPREAD_MS - 4 * 60_000) / count);
  const traces: DemoTrace[] = [];
  for (let i = 0; i < count; i++) {
    const traceId = rand.hex(32);
    const b = new TraceBuilder(rand, traceId);
    const t0 = windowStartMs * 1000 + i * slotUs + rand.int(0, Math.max(0, slotUs / 2));
    const kind = i < 3 ? i : rand.pick([0, 0, 0, 1, 1, 2]);
    const flags: Flags = {
      slow: i % 20 === 7,
      rateLimit: kind === 0 && (i % 10 === 3 || rand.chance(0.08)),
      rateLimitFatal: i % 30 === 13,
      toolError: i % 9 === 5 || rand.chance(0.05),
    };
    if (flags.rateLimitFatal) flags.rateLimit = true;
    if (kind === 0 || flags.rateLimit) supportChat(b, t0, flags);
    else if (kind === 1) research(b, t0, flags);
    else ingest(b, t0, flags);
    const spans = [...b.spans].sort((a, c) => (a.parentSpanId === null ? -1 : c.parentSpanId === null ? 1 : a.startUs - c.startUs));
    traces.push({ traceId, workflow: String(spans[0]!.attributes["traceloop.workflow.name"]), labels: [...b.labels].sort(), spans });
  }
  return { seed, nowMs, windowStartMs, windowEndMs: nowMs, services: [...DEMO_SERVICES], traces };
}
