/**
 * A prompt is a value, like a tool: a name, a description, zod arguments (strings on the wire,
 * as MCP prompt arguments are; each described, optional or required, and checked), which of them
 * complete from the backend, and a pure `render` that writes the messages: which tools to call,
 * in what order, with which arguments, and what to report. Prompts never call the backend.
 */
import { z } from "zod";
import type { CompletionKind } from "./completion.js";

/** Prompt arguments are strings; each is a described zod string (optional ones `.optional()`). */
export type PromptArguments = z.ZodObject<Record<string, z.ZodType<string | undefined>>>;

export interface PromptMessage {
  role: "user" | "assistant";
  text: string;
}

export interface RenderContext {
  /** Epoch ms, for prompts that turn relative windows into absolute ones. */
  now: number;
}

export interface PromptDefinition<A extends PromptArguments = PromptArguments> {
  name: string;
  title: string;
  description: string;
  arguments: A;
  /** Arguments that complete, and from what. */
  complete?: Readonly<Partial<Record<keyof z.output<A> & string, CompletionKind>>>;
  /** The messages for valid arguments; throws UserInputError for combinations zod cannot express. */
  render(args: z.output<A>, ctx: RenderContext): PromptMessage[];
}

export function definePrompt<A extends PromptArguments>(def: PromptDefinition<A>): PromptDefinition<A> {
  return def;
}

/** The arguments as prompts/list advertises them. */
export function promptArgumentList(def: PromptDefinition): Array<{ name: string; description: string; required: boolean }> {
  return Object.entries(def.arguments.shape).map(([name, schema]) => ({
    name,
    description: schema.description ?? "",
    required: !schema.safeParse(undefined).success,
  }));
}

/** Numbered steps, one per line. */
export function steps(lines: readonly string[]): string {
  return lines.map((line, i) => `${i + 1}. ${line}`).join("\n");
}

/** A JSON argument object as the model should pass it (undefined values left out). */
export function argsJson(args: Record<string, unknown>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined)));
}
