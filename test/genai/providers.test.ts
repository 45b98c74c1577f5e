/**
 * Provider normalisation to the semconv well-known gen_ai.provider.name values, for the spellings each
 * convention records (sources in src/genai/providers.ts), and the finish-reason vocabulary.
 */
import { describe, expect, it } from "vitest";
import { normalizeFinishReason } from "../../src/genai/finish-reasons.js";
import { normalizeProvider } from "../../src/genai/providers.js";

describe("normalizeProvider", () => {
  it.each<[string, string]>([
    // semconv well-known values stay as they are
    ["openai", "openai"],
    ["anthropic", "anthropic"],
    ["aws.bedrock", "aws.bedrock"],
    ["azure.ai.openai", "azure.ai.openai"],
    ["azure.ai.inference", "azure.ai.inference"],
    ["gcp.vertex_ai", "gcp.vertex_ai"],
    ["gcp.gemini", "gcp.gemini"],
    ["gcp.gen_ai", "gcp.gen_ai"],
    ["mistral_ai", "mistral_ai"],
    ["ibm.watsonx.ai", "ibm.watsonx.ai"],
    ["x_ai", "x_ai"],
    ["moonshot_ai", "moonshot_ai"],
    // OpenLLMetry semconv-ai 0.4.x GenAISystem spellings
    ["Anthropic", "anthropic"],
    ["Cohere", "cohere"],
    ["MistralAI", "mistral_ai"],
    ["Groq", "groq"],
    ["Watsonx", "ibm.watsonx.ai"],
    ["Azure", "azure.ai.openai"],
    ["AWS", "aws.bedrock"],
    ["Google", "gcp.gen_ai"],
    ["az.ai.openai", "azure.ai.openai"],
    // OpenInference llm.provider / llm.system
    ["aws", "aws.bedrock"],
    ["azure", "azure.ai.openai"],
    ["google", "gcp.gen_ai"],
    ["mistralai", "mistral_ai"],
    ["vertexai", "gcp.vertex_ai"],
    ["xai", "x_ai"],
    ["deepseek", "deepseek"],
    ["perplexity", "perplexity"],
    ["moonshot", "moonshot_ai"],
    // Vercel AI SDK provider ids
    ["openai.chat", "openai"],
    ["openai.responses", "openai"],
    ["openai.embedding", "openai"],
    ["anthropic.messages", "anthropic"],
    ["amazon-bedrock", "aws.bedrock"],
    ["google.generative-ai", "gcp.gemini"],
    ["google.vertex.chat", "gcp.vertex_ai"],
    ["vertex.anthropic.messages", "gcp.vertex_ai"],
    ["azure.chat", "azure.ai.openai"],
    ["mistral.chat", "mistral_ai"],
    ["cohere.chat", "cohere"],
    ["groq.chat", "groq"],
    ["xai.chat", "x_ai"],
    ["deepseek.chat", "deepseek"],
    // LiteLLM custom_llm_provider
    ["bedrock", "aws.bedrock"],
    ["bedrock_converse", "aws.bedrock"],
    ["vertex_ai", "gcp.vertex_ai"],
    ["vertex_ai_beta", "gcp.vertex_ai"],
    ["gemini", "gcp.gemini"],
    ["azure_ai", "azure.ai.inference"],
    ["cohere_chat", "cohere"],
    ["text-completion-openai", "openai"],
    ["mistral", "mistral_ai"],
    // unknown providers are kept exactly as recorded
    ["ollama", "ollama"],
    ["TogetherAI", "TogetherAI"],
    ["strands-agents", "strands-agents"],
    ["openrouter", "openrouter"],
    // a prefix needs a separator: these are other names, not openai / mistral
    ["openaix", "openaix"],
    ["mistralfoo", "mistralfoo"],
  ])("%s -> %s", (raw, expected) => {
    expect(normalizeProvider(raw)).toBe(expected);
  });
});

describe("normalizeFinishReason", () => {
  it.each<[string, string]>([
    ["stop", "stop"],
    ["end_turn", "stop"],
    ["STOP", "stop"],
    ["COMPLETE", "stop"],
    ["stop_sequence", "stop"],
    ["length", "length"],
    ["max_tokens", "length"],
    ["MAX_TOKENS", "length"],
    ["model_length", "length"],
    ["tool_calls", "tool_calls"],
    ["tool_use", "tool_calls"],
    ["tool-calls", "tool_calls"],
    ["function_call", "tool_calls"],
    ["TOOL_CALL", "tool_calls"],
    ["content_filter", "content_filter"],
    ["content-filter", "content_filter"],
    ["SAFETY", "content_filter"],
    ["guardrail_intervened", "content_filter"],
    ["error", "error"],
    ["unknown", "other"],
    ["pause_turn", "other"],
  ])("%s -> %s", (raw, expected) => {
    expect(normalizeFinishReason(raw)).toBe(expected);
  });
});
