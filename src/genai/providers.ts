/**
 * Provider normalisation to the GenAI semantic conventions' well-known `gen_ai.provider.name` values
 * (open-telemetry/semantic-conventions-genai, model/gen-ai/registry.yaml), as data so the SQL generator
 * (sql.ts) can build the same CASE expression.
 *
 * Raw values come from: the OTel name itself, OpenLLMetry's GenAISystem enum (old spellings such as
 * "Anthropic", "MistralAI", "az.ai.openai"), OpenInference's llm.provider / llm.system values
 * ("aws", "azure", "google", "mistralai", "vertexai", "xai"), the Vercel AI SDK's provider ids
 * ("openai.chat", "anthropic.messages", "amazon-bedrock", "google.vertex.chat"; the SDK's own
 * mapProviderName in packages/otel/src/gen-ai-format-messages.ts is the model for the prefix rules)
 * and LiteLLM's custom_llm_provider ("bedrock", "vertex_ai", "gemini", "azure_ai", "cohere_chat").
 *
 * Matching is case-insensitive on ASCII. A value no rule knows is returned unchanged (its case kept),
 * so nothing is invented for providers outside the table.
 */

/** The semconv well-known values this table maps to (plus `gcp.gen_ai`, the generic Google one). */
export const WELL_KNOWN_PROVIDERS = [
  "openai",
  "anthropic",
  "aws.bedrock",
  "azure.ai.openai",
  "azure.ai.inference",
  "gcp.vertex_ai",
  "gcp.gemini",
  "gcp.gen_ai",
  "mistral_ai",
  "cohere",
  "groq",
  "deepseek",
  "perplexity",
  "x_ai",
  "ibm.watsonx.ai",
  "moonshot_ai",
] as const;

/** Whole-value matches (lowercased raw value -> normalised). Checked before the prefix rules. */
export const PROVIDER_EXACT: Readonly<Record<string, string>> = {
  ...Object.fromEntries(WELL_KNOWN_PROVIDERS.map((p) => [p, p])),
  // OpenLLMetry GenAISystem (semconv-ai 0.4.x spellings and 0.5 values)
  "az.ai.openai": "azure.ai.openai",
  mistralai: "mistral_ai",
  watsonx: "ibm.watsonx.ai",
  // OpenInference llm.provider / llm.system
  aws: "aws.bedrock",
  google: "gcp.gen_ai",
  vertexai: "gcp.vertex_ai",
  moonshot: "moonshot_ai",
  moonshotai: "moonshot_ai",
  // LiteLLM custom_llm_provider
  vertex_ai: "gcp.vertex_ai",
  vertex_ai_beta: "gcp.vertex_ai",
  gemini: "gcp.gemini",
  bedrock_converse: "aws.bedrock",
  azure_ai: "azure.ai.inference",
  azure_text: "azure.ai.openai",
  cohere_chat: "cohere",
  "text-completion-openai": "openai",
  watsonx_text: "ibm.watsonx.ai",
  xai: "x_ai",
};

/**
 * Prefix rules, most specific first: a lowercased raw value equal to the prefix, or starting with the
 * prefix followed by "." or "-", maps to the value ("openai.chat" -> openai, "google.vertex.chat" ->
 * gcp.vertex_ai). As in the AI SDK's own mapping, "openai-compatible" counts as openai.
 */
export const PROVIDER_PREFIXES: ReadonlyArray<readonly [prefix: string, provider: string]> = [
  ["google.vertex", "gcp.vertex_ai"],
  ["google-vertex", "gcp.vertex_ai"],
  ["google.generative-ai", "gcp.gemini"],
  ["vertex", "gcp.vertex_ai"],
  ["amazon-bedrock", "aws.bedrock"],
  ["bedrock-mantle", "aws.bedrock"],
  ["bedrock", "aws.bedrock"],
  ["azure-openai", "azure.ai.openai"],
  ["azure", "azure.ai.openai"],
  ["openai", "openai"],
  ["anthropic", "anthropic"],
  ["google", "gcp.gemini"],
  ["mistral", "mistral_ai"],
  ["cohere", "cohere"],
  ["groq", "groq"],
  ["deepseek", "deepseek"],
  ["perplexity", "perplexity"],
  ["xai", "x_ai"],
  ["moonshotai", "moonshot_ai"],
  ["moonshot", "moonshot_ai"],
];

/** The separators a prefix rule accepts after the prefix. */
export const PROVIDER_PREFIX_SEPARATORS = [".", "-"] as const;

/** ASCII-only lowercasing: the same result SQL engines give (ClickHouse's lower() is ASCII-only). */
export function asciiLower(s: string): string {
  return s.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** Normalised provider for a raw value; unknown values come back unchanged. */
export function normalizeProvider(raw: string): string {
  const lower = asciiLower(raw);
  const exact = PROVIDER_EXACT[lower];
  if (exact) return exact;
  for (const [prefix, provider] of PROVIDER_PREFIXES) {
    if (lower === prefix) return provider;
    for (const sep of PROVIDER_PREFIX_SEPARATORS) if (lower.startsWith(prefix + sep)) return provider;
  }
  return raw;
}
