import { z } from "zod";
import { UserInputError } from "../errors.js";
import { optionalService, sessionIdArgument, timeArgument, traceIdArgument } from "./arguments.js";
import { traceUri } from "../resources/trace.js";
import { argsJson, definePrompt, steps } from "./define-prompt.js";

/** What to look for in one agent trace, shared by both entry points. */
const TRACE_CHECKS = [
  "Walk the spans in tree order and write a timeline: each LLM call (model, prompt/completion tokens, finish reasons) and each tool call (span name, status, duration).",
  "Look for loop signs: the same tool called again with the same input; an LLM call after every tool error; prompt_tokens growing every turn (context piling up); " +
    "finish_reasons 'length' or 'tool_calls' with no final 'stop'; the run ending at an iteration limit.",
];

export const debugAgentLoop = definePrompt({
  name: "debug_agent_loop",
  title: "Debug an agent loop",
  description: "Find out whether an agent trace or session loops — repeated tool calls, growing context, no stop — and why.",
  arguments: z.strictObject({
    trace_id: traceIdArgument,
    session_id: sessionIdArgument,
    service_name: optionalService,
    start_time: timeArgument("Where to look for the session's traces (default '24h')."),
  }),
  complete: { session_id: "session", service_name: "service" },
  render(args) {
    if (!args.trace_id && !args.session_id) throw new UserInputError("Give trace_id or session_id: the trace or agent session to debug.");
    const intro = args.trace_id ? `Debug the agent run in trace ${args.trace_id}.` : `Debug the agent session ${args.session_id}.`;
    const first = args.trace_id
      ? [
          `analyze_trace ${argsJson({ trace_id: args.trace_id })}: its LLM calls in order (model, tokens, finish reasons, dollars) and where the time went.`,
          `Read the ${traceUri(args.trace_id)} resource (or call get_trace ${argsJson({ trace_id: args.trace_id })}) for the tool calls and prompts.`,
          ...TRACE_CHECKS,
        ]
      : [
          `get_session ${argsJson({ session_id: args.session_id, start_time: args.start_time ?? "24h" })}: the session's traces in time order, ` +
            "with LLM calls, tokens and dollars each.",
          "For the traces with the most llm_span_count or total_tokens, call analyze_trace, then read trace://<trace_id> (or call get_trace) and:",
          ...TRACE_CHECKS,
        ];
    const text = [
      `${intro} Call the tools in this order:`,
      steps([
        ...first,
        `list_llm_tools ${argsJson({ service_name: args.service_name, start_time: args.start_time ?? "24h" })}` +
          (args.service_name ? "" : " (with the trace's service_name)") +
          ": how often each tool is called normally, to tell a loop from ordinary use.",
        "search_traces with the same service_name and the root operation_name, limit 20: compare span_count, llm_span_count and total_tokens with this run.",
      ]),
      "Then report: loop or not; how many iterations and which step repeats; tokens and time spent in the repetition; the likely trigger " +
        "(a tool error the agent retries, tool output it cannot use, a missing stop condition); and a fix (an iteration cap, clearer tool errors, a stop criterion).",
    ].join("\n\n");
    return [{ role: "user", text }];
  },
});
