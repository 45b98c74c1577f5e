import { DAY_MS, defineBackend } from "../descriptor.js";

export const jaeger = defineBackend({
  kind: "jaeger",
  label: "Jaeger",
  defaultUrl: "http://localhost:16686",
  // Jaeger's own default look-back.
  defaultLookbackMs: 2 * DAY_MS,
  requiresApiKey: false,
  capabilities: {
    requiresService: true,
    selfServices: ["jaeger", "jaeger-all-in-one", "jaeger-query"],
    // The memory store (and others) return any `limit` matches, not the newest.
    searchOrder: "arbitrary",
    completeTracesInSearch: true,
  },
  load: async () => (await import("./jaeger-backend.js")).createJaegerBackend,
});
