/** The prompt registry: the server's whole prompt surface, in listing order. */
import { debugAgentLoop } from "./agent-loop.js";
import { costReview } from "./cost-review.js";
import type { PromptDefinition } from "./define-prompt.js";
import { errorTriage } from "./error-triage.js";
import { latencyRegression } from "./latency-regression.js";

export const PROMPTS: readonly PromptDefinition[] = [costReview, errorTriage, latencyRegression, debugAgentLoop] as unknown as readonly PromptDefinition[];
