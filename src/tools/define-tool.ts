/**
 * A tool is a value: name, title, description, zod input and output schemas, the prefix of its
 * failure messages, and a `run` that returns domain data. The server (server.ts) validates
 * input, renders results and turns every throw into an isError result; tools never build MCP
 * content themselves.
 */
import type { z } from "zod";
import type { Config } from "../config.js";
import type { Pricer } from "../genai/pricing.js";
import type { QueryContext } from "../query/context.js";

/** What a tool runs with: the query layer's context (backend, cache, limits, clock), the config and prices. */
export interface ToolContext extends QueryContext {
  config: Config;
  /** The price table (vendored + overrides), loaded on first use. */
  pricer(): Promise<Pricer>;
}

export type ToolInput = z.ZodObject;
export type ToolOutput = z.ZodObject;

/** A resource an answer names (e.g. a trace it lists), sent as a `resource_link` content item. */
export interface ResourceLink {
  uri: string;
  name: string;
  title?: string;
  mimeType: string;
}

export interface ToolDefinition<I extends ToolInput = ToolInput, O extends ToolOutput = ToolOutput> {
  name: string;
  title: string;
  description: string;
  input: I;
  output: O;
  /** What failed, e.g. "Failed to search traces"; backend errors render as "<prefix>: <message>". */
  errorPrefix: string;
  run(args: z.output<I>, ctx: ToolContext): Promise<z.output<O>>;
  /** Cuts a result to the response budget, declaring the cut (see budget.ts). */
  fit?(result: Record<string, unknown>, maxChars: number): Record<string, unknown>;
  /** Resources the (fitted) answer names, linked beside its text (see links.ts). */
  links?(result: Record<string, unknown>): ResourceLink[];
}

export function defineTool<I extends ToolInput, O extends ToolOutput>(def: ToolDefinition<I, O>): ToolDefinition<I, O> {
  return def;
}
