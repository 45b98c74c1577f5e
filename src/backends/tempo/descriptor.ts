import { DAY_MS, defineBackend } from "../descriptor.js";

export const tempo = defineBackend({
  kind: "tempo",
  label: "Tempo",
  defaultUrl: "http://localhost:3200",
  // The original's default for Tempo.
  defaultLookbackMs: DAY_MS,
  requiresApiKey: false,
  capabilities: {
    requiresService: false,
    selfServices: [],
    // Tempo stops a search once it has `limit` matches, from whichever blocks it read first.
    searchOrder: "arbitrary",
    // Search lists trace ids; the query layer fetches each trace through the cache.
    completeTracesInSearch: false,
    // TraceQL `| select(...)` with spss returns the projected spans with the search (no fetch by id).
    projection: true,
  },
  load: async () => (await import("./tempo-backend.js")).createTempoBackend,
});
