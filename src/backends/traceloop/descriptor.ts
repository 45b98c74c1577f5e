import { DAY_MS, defineBackend } from "../descriptor.js";

export const traceloop = defineBackend({
  kind: "traceloop",
  label: "Traceloop",
  defaultUrl: "https://api.traceloop.com",
  defaultLookbackMs: DAY_MS,
  requiresApiKey: true,
  capabilities: {
    requiresService: false,
    selfServices: [],
    // The API sorts by timestamp, descending.
    searchOrder: "newest",
    // Root-span rows; the query layer fetches each trace's spans through the cache.
    completeTracesInSearch: false,
    // Traceloop holds OpenLLMetry data only (its API stores gen_ai.* as llm.*), so the raw GenAI
    // fields it filters on are the normalised ones.
    normalizedGenAiFields: true,
  },
  load: async () => (await import("./traceloop-backend.js")).createTraceloopBackend,
});
