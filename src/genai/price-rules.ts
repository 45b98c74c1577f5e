/**
 * genai-prices' match language, compiled once into functions that say how specifically a clause
 * matches a model id (-1 for no match). Specificity decides between entries that all match:
 * an exact id beats a fully anchored regex, which beats the longest prefix/substring. genai-prices
 * itself takes the first matching entry; on its data the two agree for every listed id (checked
 * when the table is generated), and specificity keeps overrides and patches order-independent.
 */
import type { Clause } from "./price-table.js";

export type CompiledClause = (lowerId: string) => number;

export const EXACT_SCORE = 1_000_000;
const ANCHORED_REGEX_SCORE = 500_000;

export function compileClause(clause: Clause): CompiledClause {
  if ("equals" in clause) {
    const s = clause.equals.toLowerCase();
    return (id) => (id === s ? EXACT_SCORE : -1);
  }
  if ("starts_with" in clause) {
    const s = clause.starts_with.toLowerCase();
    return (id) => (id.startsWith(s) ? s.length : -1);
  }
  if ("ends_with" in clause) {
    const s = clause.ends_with.toLowerCase();
    return (id) => (id.endsWith(s) ? s.length : -1);
  }
  if ("contains" in clause) {
    const s = clause.contains.toLowerCase();
    return (id) => (id.includes(s) ? s.length : -1);
  }
  if ("regex" in clause) {
    // Python's re.search on the lower-cased id, as genai-prices runs it.
    const re = new RegExp(clause.regex);
    const score = regexSpecificity(clause.regex);
    return (id) => (re.test(id) ? score : -1);
  }
  if ("or" in clause) {
    const parts = clause.or.map(compileClause);
    return (id) => {
      let best = -1;
      for (const p of parts) best = Math.max(best, p(id));
      return best;
    };
  }
  if ("and" in clause) {
    const parts = clause.and.map(compileClause);
    return (id) => {
      let sum = 0;
      for (const p of parts) {
        const s = p(id);
        if (s < 0) return -1;
        sum += s;
      }
      return Math.min(sum, EXACT_SCORE);
    };
  }
  throw new Error(`unknown match clause ${JSON.stringify(clause)}`);
}

/** A pattern anchored at both ends names whole ids; otherwise count the literal prefix after '^'. */
function regexSpecificity(source: string): number {
  if (source.startsWith("^") && source.endsWith("$") && !source.endsWith("\\$")) return ANCHORED_REGEX_SCORE;
  const m = /^\^((?:[a-z0-9_\-/:@]|\\\.)*)/i.exec(source);
  return m ? m[1]!.replaceAll("\\.", ".").length : 0;
}
