/**
 * trace://{trace_id}: one trace, the same JSON get_trace answers (the tool's own `run` and `fit`,
 * so the two can never drift), under the same response budget. Tool answers that list traces link
 * here, so a host can fetch a trace when it needs it instead of the model calling get_trace.
 */
import { UserInputError } from "../errors.js";
import { getTrace } from "../tools/get-trace.js";
import { TRACE_URI_TEMPLATE, traceUri } from "../tools/links.js";
import { defineResourceTemplate } from "./define-resource.js";

export { TRACE_URI_TEMPLATE, traceUri };

export const traceResource = defineResourceTemplate({
  name: "trace",
  title: "Trace",
  uriTemplate: TRACE_URI_TEMPLATE,
  description: "One trace by id: every span in tree order with attributes and parsed LLM attributes, as get_trace returns it.",
  mimeType: "application/json",
  errorPrefix: getTrace.errorPrefix,
  async read(vars, ctx) {
    const parsed = getTrace.input.safeParse({ trace_id: vars.trace_id });
    if (!parsed.success) throw new UserInputError(`Invalid trace URI: ${parsed.error.issues[0]?.message ?? "bad trace id"}`);
    return getTrace.run(parsed.data, ctx);
  },
  fit: (result, max) => getTrace.fit!(result, max),
});
