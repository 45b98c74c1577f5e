/** The keys every answer with dollars carries: which prices, and which models had none. */
import { z } from "zod";
import type { CostSummary } from "../genai/cost-summary.js";

export const unpricedModelsSchema = z
  .array(z.object({ model: z.string().nullable(), provider: z.string().optional(), requests: z.number().int(), input_tokens: z.number(), output_tokens: z.number() }))
  .optional()
  .describe("Models with no price: their calls are left out of cost_usd (never counted as $0).");

export const costMetaSchema = {
  prices_as_of: z.string().optional().describe("Date of the price table the costs use."),
  unpriced_models: unpricedModelsSchema,
};

export function costMeta(cost: CostSummary | undefined): { prices_as_of?: string; unpriced_models?: CostSummary["unpriced_models"] } {
  if (!cost) return {};
  return { prices_as_of: cost.prices_as_of, ...(cost.unpriced_models.length > 0 ? { unpriced_models: cost.unpriced_models } : {}) };
}

/** The note an answer adds when some calls could not be priced. */
export function unpricedNote(cost: CostSummary | undefined): string[] {
  if (!cost || cost.unpriced_calls === 0) return [];
  return [`cost_usd leaves out ${cost.unpriced_calls} LLM call(s) of models with no price (see unpriced_models); add them with --pricing / LLM_PRICING_FILE.`];
}
