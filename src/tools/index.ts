/** The tool registry: this array is the server's whole tool surface, in listing order. */
import { aggregateTraces } from "./aggregate-traces.js";
import { analyzeErrors } from "./analyze-errors.js";
import { analyzeTrace } from "./analyze-trace.js";
import type { ToolDefinition } from "./define-tool.js";
import { findErrors } from "./find-errors.js";
import { getLlmModelStats } from "./get-llm-model-stats.js";
import { getLlmUsage } from "./get-llm-usage.js";
import { getServiceTopology } from "./get-service-topology.js";
import { getTrace } from "./get-trace.js";
import { listLlmModels } from "./list-llm-models.js";
import { listLlmTools } from "./list-llm-tools.js";
import { listServices } from "./list-services.js";
import { searchSpans } from "./search-spans.js";
import { searchTraces } from "./search-traces.js";
import { getSession, listSessions } from "./sessions.js";
import { getLlmExpensiveTraces, getLlmSlowTraces } from "./top-traces.js";

export const TOOLS: readonly ToolDefinition[] = [
  searchTraces,
  searchSpans,
  getTrace,
  getLlmUsage,
  listServices,
  findErrors,
  listLlmModels,
  getLlmModelStats,
  getLlmExpensiveTraces,
  getLlmSlowTraces,
  listLlmTools,
  aggregateTraces,
  analyzeErrors,
  getServiceTopology,
  analyzeTrace,
  listSessions,
  getSession,
] as unknown as readonly ToolDefinition[];
