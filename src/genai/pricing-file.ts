/** Reads the price overrides file named by --pricing / LLM_PRICING_FILE (the only fs access of pricing). */
import { readFileSync } from "node:fs";
import { ConfigError } from "../errors.js";
import { parsePricingOverrides, type PriceOverride } from "./price-overrides.js";

/** Throws ConfigError (one line naming the file) when the file is missing, unreadable or invalid. */
export function loadPricingOverrides(path: string): PriceOverride[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : code === "EACCES" ? "permission denied" : (err as Error).message;
    throw new ConfigError(`Cannot read pricing file ${path} (--pricing / LLM_PRICING_FILE): ${why}`);
  }
  return parsePricingOverrides(text, path);
}
