import { DAY_MS, defineBackend } from "../descriptor.js";

export const clickhouse = defineBackend({
  kind: "clickhouse",
  label: "ClickHouse",
  // ClickHouse's HTTP interface.
  defaultUrl: "http://localhost:8123",
  defaultLookbackMs: DAY_MS,
  requiresApiKey: false,
  capabilities: {
    requiresService: false,
    selfServices: [],
    // ORDER BY on the server: the newest matches first.
    searchOrder: "newest",
    // A trace search returns every span of each trace (one query).
    completeTracesInSearch: true,
    // Filters and group-bys on provider, model, tokens, session and user are SQL over every convention.
    normalizedGenAiFields: true,
    // A projected search returns just the wanted spans with the selected attributes.
    projection: true,
  },
  load: async () => (await import("./clickhouse-backend.js")).createClickHouseBackend,
});
