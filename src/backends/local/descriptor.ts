import { DAY_MS, defineBackend } from "../descriptor.js";

export const local = defineBackend({
  kind: "local",
  label: "the local store",
  // No URL: the store is a directory (--data-dir); messages show it as a file:// URL.
  defaultUrl: undefined,
  // The store keeps 7 days by default: a question without a window sees all of it.
  defaultLookbackMs: 7 * DAY_MS,
  requiresApiKey: false,
  capabilities: {
    requiresService: false,
    selfServices: [],
    searchOrder: "newest",
    completeTracesInSearch: true,
    // Filters on provider, model, tokens, session and user run in SQL over every convention (src/genai/sql.ts).
    normalizedGenAiFields: true,
  },
  load: async () => (await import("./local-backend.js")).createLocalBackend,
});
