import { z } from "zod";
import { listServicesOf } from "../query/search.js";
import { fitList, truncatedSchema } from "./budget.js";
import { defineTool } from "./define-tool.js";
import { notesSchema } from "./summaries.js";

export const listServices = defineTool({
  name: "list_services",
  title: "List services",
  description: "Service names in the trace backend. Start here: most tools take a service_name.",
  input: z.strictObject({}),
  output: z.object({ count: z.number().int(), services: z.array(z.string()), truncated: truncatedSchema, notes: notesSchema }),
  errorPrefix: "Failed to list services",
  fit: (result, max) => fitList(result, "services", max, "The service list is longer than the budget; raise MAX_RESPONSE_CHARS to see all names."),
  async run(_args, ctx) {
    const services = await listServicesOf(ctx, await ctx.backend());
    return { count: services.length, services };
  },
});
