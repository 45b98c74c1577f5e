import { z } from "zod";
import { defineTool } from "./define-tool.js";

export const listServices = defineTool({
  name: "list_services",
  title: "List services",
  description: "List the service names known to the trace backend. Start here: most searches take a service_name.",
  input: z.strictObject({}),
  output: z.object({ count: z.number().int(), services: z.array(z.string()) }),
  errorPrefix: "Failed to list services",
  async run(_args, ctx) {
    const backend = await ctx.backend();
    const services = [...new Set(await backend.listServices())].sort();
    return { count: services.length, services };
  },
});
