/**
 * The pure half of the demo generator: a seeded plan of a realistic LLM application's traces
 * (gateway -> agent -> retrieval/tools, research agents, ingestion jobs) as plain data. No I/O
 * and no clock: the same seed, trace count and `nowMs` always give the same plan.
 *
 * The application is instrumented the way real ones are, several conventions side by side: the
 * gateway classifies intents with the Vercel AI SDK, the support agent uses OpenLLMetry (one model
 * through LiteLLM), the research agent current OTel GenAI names (its writer the older names), and
 * retrieval/ingestion OpenInference. Sessions and users are recorded under each convention's keys.
 */
import { ms, Rand, TraceBuilder, type Draft } from "./builder.js";
import { DEMO_MODELS, llmCall, type DemoSession } from "./llm-calls.js";
import type { DemoPlan, DemoPlanOptions, DemoTrace } from "./types.js";

export { mulberry32 } from "./builder.js";
export { DEMO_MODELS } from "./llm-calls.js";

export const DEMO_SERVICES = ["chat-gateway", "agent-orchestrator", "rag-retriever", "tool-runner"] as const;

/** How far back the plan reaches; inside Jaeger's and Tempo's default search windows. */
export const DEMO_SPREAD_MS = 30 * 60_000;

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

/**
 * A tool call in tool-runner, with its own outgoing HTTP or database span: an OpenLLMetry tool span
 * (traceloop.span.kind=tool, named "<tool>.tool") or an OTel GenAI execute_tool span.
 */
function toolCall(b: TraceBuilder, parent: Draft, tool: ToolName, startUs: number, input: string, fail: boolean, convention: "openllmetry" | "otel_genai" = "openllmetry"): Draft {
  const r = b.rand;
  const span =
    convention === "openllmetry"
      ? b.open(parent, "tool-runner", `${tool}.tool`, "internal", startUs, {
          "traceloop.span.kind": "tool",
          "traceloop.entity.name": tool,
          "traceloop.entity.input": JSON.stringify({ query: input }),
        })
      : b.open(parent, "tool-runner", `execute_tool ${tool}`, "internal", startUs, {
          "gen_ai.operation.name": "execute_tool",
          "gen_ai.tool.name": tool,
          "gen_ai.tool.call.id": `call_${r.hex(12)}`,
          "gen_ai.tool.type": "function",
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
    const output = JSON.stringify({ ok: true, results: r.int(1, 8) });
    span.attributes[convention === "openllmetry" ? "traceloop.entity.output" : "gen_ai.tool.call.result"] = output;
  }
  return span;
}

interface Flags {
  slow: boolean;
  rateLimit: boolean;
  rateLimitFatal: boolean;
  toolError: boolean;
  /** The final answer goes to Cohere through LiteLLM. */
  liteLlm: boolean;
  /** The chat session (support) or conversation (research) the trace belongs to, if any. */
  session?: DemoSession;
}

const INTENTS = ["order_status", "refund", "delivery_weather", "account", "plans", "billing"] as const;

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
  });
  const session = f.session;
  if (session) {
    root.attributes["session.id"] = session.id;
    if (session.user) root.attributes["user.id"] = session.user;
  }
  // The gateway (Node) classifies the intent with the Vercel AI SDK before handing over.
  const classify = llmCall(b, root, "chat-gateway", r.chance(0.5) ? DEMO_MODELS.gpt4oMini : DEMO_MODELS.haiku, t0 + ms(r.int(1, 3)), {
    convention: "vercel_ai",
    prompt: `Classify the intent of: ${question}`,
    completion: r.pick(INTENTS),
    promptTokens: r.int(60, 400),
    completionTokens: r.int(2, 8),
    finishReason: "stop",
    ...(session ? { session } : {}),
  });
  let failedAgent = false;
  const call = rpc(b, root, "chat-gateway", "agent-orchestrator", "/agent/run", classify.endUs + ms(r.int(2, 8)), (server, at) => {
    const agent = b.open(server, "agent-orchestrator", "support_agent.agent", "internal", at, {
      "traceloop.span.kind": "agent",
      "traceloop.entity.name": "support_agent",
      "traceloop.workflow.name": "customer_support_chat",
    });
    // OpenLLMetry propagates association properties to every span of the agent.
    if (session) {
      agent.attributes["traceloop.association.properties.session_id"] = session.id;
      if (session.user) agent.attributes["traceloop.association.properties.user_id"] = session.user;
    }
    let t = at + ms(r.int(1, 4));
    // Retrieval: embeddings + vector search + document fetch in rag-retriever.
    const retrieve = rpc(b, agent, "agent-orchestrator", "rag-retriever", "/retrieve", t, (rs, at2) => {
      // rag-retriever (LlamaIndex) is instrumented with OpenInference.
      const task = b.open(rs, "rag-retriever", "retrieve_context", "internal", at2, {
        "openinference.span.kind": "RETRIEVER",
        "input.value": question,
      });
      const emb = llmCall(b, task, "rag-retriever", DEMO_MODELS.embedSmall, at2 + ms(1), {
        convention: "openinference",
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
    const planner = r.pick([DEMO_MODELS.gpt4o, DEMO_MODELS.gpt4o, DEMO_MODELS.sonnet, DEMO_MODELS.sonnet, DEMO_MODELS.mistralLarge]);
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
          ...(session ? { session } : {}),
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
      const model = !last ? planner : f.liteLlm ? DEMO_MODELS.commandR : r.pick([DEMO_MODELS.gpt4oMini, DEMO_MODELS.gpt4oMini, DEMO_MODELS.commandR, DEMO_MODELS.haiku]);
      const viaLiteLlm = model === DEMO_MODELS.commandR && (f.liteLlm || r.chance(0.5));
      const tool = last ? undefined : r.pick<ToolName>(["lookup_order", "get_weather", "create_ticket", "calculator", "fetch_url"]);
      const call = llmCall(b, agent, "agent-orchestrator", model, t, {
        convention: viaLiteLlm ? "litellm" : "openllmetry",
        prompt: last ? `Answer the customer: ${question}` : `Decide the next tool for: ${question}`,
        completion: last ? "Thanks for reaching out! Here is what I found..." : `{"tool": "${tool}"}`,
        promptTokens: r.int(400, 2500),
        completionTokens: last ? r.int(80, 450) : r.int(15, 90),
        finishReason: last ? "stop" : "tool_calls",
        streaming: last,
        slow: f.slow && last,
        ...(tool ? { toolCall: tool } : {}),
        ...(session ? { session } : {}),
      });
      t = call.endUs + ms(r.int(1, 5));
      if (tool) {
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
  // The research agent uses a newer instrumentation with the current OTel GenAI names: an
  // invoke_agent span carrying the agent's summed usage (not a call), chat spans, execute_tool spans.
  const agent = b.open(root, "agent-orchestrator", "invoke_agent researcher", "internal", t0 + ms(r.int(1, 3)), {
    "gen_ai.operation.name": "invoke_agent",
    "gen_ai.provider.name": DEMO_MODELS.sonnet.provider,
    "gen_ai.agent.name": "researcher",
    "gen_ai.request.model": DEMO_MODELS.sonnet.request,
  });
  const session = f.session;
  if (session) agent.attributes["gen_ai.conversation.id"] = session.id;
  const agentUsage = { input: 0, output: 0 };
  const addUsage = (span: Draft) => {
    agentUsage.input += Number(span.attributes["gen_ai.usage.input_tokens"] ?? 0);
    agentUsage.output += Number(span.attributes["gen_ai.usage.output_tokens"] ?? 0);
  };
  let t = agent.startUs + ms(r.int(1, 3));
  const rounds = r.int(2, 3);
  for (let i = 0; i < rounds; i++) {
    const tool: ToolName = i % 2 === 0 ? "web_search" : "fetch_url";
    const plan = llmCall(b, agent, "agent-orchestrator", DEMO_MODELS.sonnet, t, {
      convention: "otel_genai",
      prompt: `Research ${topic}. Round ${i + 1}: what should we search next?`,
      completion: `{"tool": "${tool}"}`,
      promptTokens: r.int(1200, 4000),
      completionTokens: r.int(20, 120),
      finishReason: "tool_use",
      toolCall: tool,
      ...(session ? { session } : {}),
    });
    addUsage(plan);
    t = plan.endUs + ms(r.int(1, 4));
    const fail = f.toolError && i === rounds - 1;
    const tc = rpc(b, agent, "agent-orchestrator", "tool-runner", "/tools/invoke", t, (ts, at) => {
      const span = toolCall(b, ts, tool, at, topic, fail, "otel_genai");
      if (fail) ts.status = { code: "ERROR", message: `tool ${tool} failed` };
      return span.endUs;
    });
    t = tc.client.endUs + ms(r.int(1, 4));
  }
  const critic = llmCall(b, agent, "agent-orchestrator", DEMO_MODELS.o3Mini, t, {
    convention: "otel_genai",
    prompt: `Critique the findings on ${topic}.`,
    completion: "The evidence is mostly consistent; two sources disagree on pricing.",
    promptTokens: r.int(1500, 3500),
    completionTokens: r.int(200, 900),
    finishReason: "stop",
    streaming: true,
    ...(session ? { session } : {}),
  });
  addUsage(critic);
  t = critic.endUs + ms(r.int(1, 4));
  agent.endUs = t;
  agent.attributes["gen_ai.usage.input_tokens"] = agentUsage.input;
  agent.attributes["gen_ai.usage.output_tokens"] = agentUsage.output;
  const writer = b.open(root, "agent-orchestrator", "write_report.task", "internal", t + ms(1), {
    "traceloop.span.kind": "task",
    "traceloop.entity.name": "write_report",
  });
  const model = r.pick([DEMO_MODELS.mistralLarge, DEMO_MODELS.haiku, DEMO_MODELS.sonnet]);
  // The writer still runs on an older instrumentation (Strands Agents style: the older OTel names).
  const draft = llmCall(b, writer, "agent-orchestrator", model, writer.startUs + ms(1), {
    convention: "otel_genai_legacy",
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
    // The ingestion pipeline (LlamaIndex) is instrumented with OpenInference.
    const task = b.open(root, "rag-retriever", "embed_batch", "internal", t, {
      "openinference.span.kind": "CHAIN",
      "input.value": `batch ${i}`,
      "batch.index": i,
    });
    const emb = llmCall(b, task, "rag-retriever", DEMO_MODELS.embedCohere, t + ms(1), {
      convention: "openinference",
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
    convention: "openinference",
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
  // Sessions span several traces; two in three have a known user.
  const sessions: DemoSession[] = Array.from({ length: Math.max(2, Math.ceil(count / 4)) }, (_, k) => ({
    id: `sess-${rand.hex(8)}`,
    ...(k % 3 !== 2 ? { user: `user-${rand.int(100, 999)}` } : {}),
  }));
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
      liteLlm: i % 6 === 0,
    };
    if (flags.rateLimitFatal) flags.rateLimit = true;
    // Support chats always belong to a session; a research run continues a conversation half the time.
    if (kind === 0 || flags.rateLimit || rand.chance(0.5)) flags.session = rand.pick(sessions);
    if (kind === 0 || flags.rateLimit) supportChat(b, t0, flags);
    else if (kind === 1) research(b, t0, flags);
    else ingest(b, t0, flags);
    const spans = [...b.spans].sort((a, c) => (a.parentSpanId === null ? -1 : c.parentSpanId === null ? 1 : a.startUs - c.startUs));
    traces.push({ traceId, workflow: String(spans[0]!.attributes["traceloop.workflow.name"]), labels: [...b.labels].sort(), spans });
  }
  return { seed, nowMs, windowStartMs, windowEndMs: nowMs, services: [...DEMO_SERVICES], traces };
}
