import { z } from "zod";
import { simpleParamFilters } from "../domain/query.js";
import { formatTimeMs } from "../domain/time.js";
import { normalizeProvider } from "../genai/providers.js";
import { defineTool } from "./define-tool.js";
import * as p from "./params.js";
import { collectCompleteTraces } from "./collect.js";
import { llmCalls, modelKey, skippedOutput, type LlmCall } from "./llm-common.js";
import { notesSchema, windowSchema, withMeta } from "./summaries.js";

const usageSchema = z.object({
  requests: z.number().int(),
  prompt_tokens: z.number().int().describe("Input tokens, cache reads and writes included."),
  completion_tokens: z.number().int().describe("Output tokens, reasoning included."),
  total_tokens: z.number().int(),
  cache_read_tokens: z.number().int().describe("Input tokens served from the provider's prompt cache (part of prompt_tokens)."),
  cache_write_tokens: z.number().int().describe("Input tokens written to the provider's prompt cache (part of prompt_tokens)."),
  reasoning_tokens: z.number().int().describe("Output tokens spent on reasoning (part of completion_tokens)."),
});
type Usage = z.infer<typeof usageSchema>;

function add(target: Usage, call: LlmCall): void {
  target.requests += 1;
  target.prompt_tokens += call.llm.prompt_tokens ?? 0;
  target.completion_tokens += call.llm.completion_tokens ?? 0;
  target.total_tokens += call.llm.total_tokens ?? 0;
  target.cache_read_tokens += call.llm.cache_read_tokens ?? 0;
  target.cache_write_tokens += call.llm.cache_write_tokens ?? 0;
  target.reasoning_tokens += call.llm.reasoning_tokens ?? 0;
}

const empty = (): Usage => ({
  requests: 0,
  prompt_tokens: 0,
  completion_tokens: 0,
  total_tokens: 0,
  cache_read_tokens: 0,
  cache_write_tokens: 0,
  reasoning_tokens: 0,
});

export const getLlmUsage = defineTool({
  name: "get_llm_usage",
  title: "LLM token usage",
  description:
    "Total LLM requests and prompt/completion/total tokens (plus cache-read, cache-write and reasoning tokens) over a time " +
    "window, broken down by model and by service, from every GenAI convention (OpenLLMetry, OTel GenAI, OpenInference, " +
    "Vercel AI SDK, LiteLLM). Optional filters: service, provider (gen_ai.system), requested or responding model.",
  input: z.strictObject({
    start_time: p.startTime,
    end_time: p.endTime,
    service_name: p.serviceName,
    gen_ai_system: p.genAiSystem,
    gen_ai_request_model: p.genAiRequestModel,
    gen_ai_response_model: p.genAiResponseModel,
    limit: p.limit(1000, "traces to analyse"),
  }),
  output: z.object({
    period: z.object({ start_time: z.string().nullable(), end_time: z.string().nullable() }),
    filters: z.object({
      service_name: z.string().nullable(),
      gen_ai_system: z.string().nullable(),
      gen_ai_request_model: z.string().nullable(),
      gen_ai_response_model: z.string().nullable(),
    }),
    summary: z.object({
      total_requests: z.number().int(),
      total_prompt_tokens: z.number().int(),
      total_completion_tokens: z.number().int(),
      total_tokens: z.number().int(),
      total_cache_read_tokens: z.number().int(),
      total_cache_write_tokens: z.number().int(),
      total_reasoning_tokens: z.number().int(),
    }),
    by_model: z.record(z.string(), usageSchema),
    by_service: z.record(z.string(), usageSchema),
    window: windowSchema,
    notes: notesSchema,
    ...skippedOutput,
  }),
  errorPrefix: "Failed to get usage metrics",
  async run(args, ctx) {
    const window = p.parseWindow(args, ctx.now());
    const found = await collectCompleteTraces(ctx, { ...window, limit: args.limit, filters: simpleParamFilters(args) });
    const total = empty();
    const byModel: Record<string, Usage> = {};
    const byService: Record<string, Usage> = {};
    // Providers compare in their normalised form ("openai" matches an AI SDK call recorded as "openai.chat").
    const provider = args.gen_ai_system ? normalizeProvider(args.gen_ai_system) : undefined;
    for (const trace of found.items) {
      for (const call of llmCalls(trace)) {
        // The provider/model filters select traces; count only the LLM calls they describe
        // (the original also counted other models' calls in the same traces).
        if (provider !== undefined && call.llm.system !== provider) continue;
        if (args.gen_ai_request_model && call.llm.request_model !== args.gen_ai_request_model) continue;
        if (args.gen_ai_response_model && call.llm.response_model !== args.gen_ai_response_model) continue;
        add(total, call);
        add((byModel[modelKey(call.llm)] ??= empty()), call);
        add((byService[call.span.serviceName] ??= empty()), call);
      }
    }
    const body = {
      period: {
        start_time: window.startMs === undefined ? null : formatTimeMs(window.startMs),
        end_time: window.endMs === undefined ? null : formatTimeMs(window.endMs),
      },
      filters: {
        service_name: args.service_name ?? null,
        gen_ai_system: args.gen_ai_system ?? null,
        gen_ai_request_model: args.gen_ai_request_model ?? null,
        gen_ai_response_model: args.gen_ai_response_model ?? null,
      },
      summary: {
        total_requests: total.requests,
        total_prompt_tokens: total.prompt_tokens,
        total_completion_tokens: total.completion_tokens,
        total_tokens: total.total_tokens,
        total_cache_read_tokens: total.cache_read_tokens,
        total_cache_write_tokens: total.cache_write_tokens,
        total_reasoning_tokens: total.reasoning_tokens,
      },
      by_model: byModel,
      by_service: byService,
    };
    return withMeta(body, found);
  },
});
