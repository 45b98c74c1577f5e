/**
 * Bound parameters. Every value (and every attribute name) reaches the engine as a parameter,
 * never as SQL text; the dialect decides the placeholder syntax.
 *
 * A query may also name subexpressions it repeats (`bind`): with `aliases` on, each distinct
 * expression is defined once (`withClause()`, ClickHouse's `WITH <expr> AS <name>`) and referred
 * to by name, which keeps the long normalised GenAI expressions (src/genai/sql.ts) within the
 * engine's query-size limits; without, `bind` returns the expression itself.
 */
export type SqlType = "VARCHAR" | "DOUBLE" | "BIGINT" | "BOOLEAN" | "VARCHAR[]" | "DOUBLE[]";

export type SqlValue = string | number | boolean | bigint | null | readonly string[] | readonly number[];

export interface SqlParam {
  value: SqlValue;
  type: SqlType;
}

export type ParamMap = Record<string, SqlParam>;

export interface ParamsOptions {
  /** Name repeated subexpressions in a WITH clause instead of repeating their text. */
  aliases?: boolean;
}

export class Params {
  private next = 0;
  private names = 0;
  readonly values: ParamMap = {};
  private readonly constants = new Map<string, string>();
  private readonly bound = new Map<string, string>();

  constructor(
    private readonly placeholder: (name: string, type: SqlType) => string,
    private readonly options: ParamsOptions = {},
  ) {}

  add(value: SqlValue, type: SqlType): string {
    const name = `p${this.next++}`;
    this.values[name] = { value, type };
    return this.placeholder(name, type);
  }

  /** A name no other part of this query uses (lambda arguments). */
  fresh(prefix: string): string {
    return `${prefix}${this.names++}`;
  }

  /** A string constant, one placeholder however often it is used (the GenAI expressions repeat keys). */
  constant(value: string): string {
    let p = this.constants.get(value);
    if (p === undefined) {
      p = this.add(value, "VARCHAR");
      this.constants.set(value, p);
    }
    return p;
  }

  /** `sql`, or with aliases on, the name of its one definition in withClause(). */
  bind(sql: string): string {
    if (!this.options.aliases) return sql;
    let name = this.bound.get(sql);
    if (name === undefined) {
      name = `_e${this.bound.size}`;
      this.bound.set(sql, name);
    }
    return name;
  }

  /** `WITH <expr> AS <name>, ... ` for the bound expressions (empty when none). */
  withClause(): string {
    if (this.bound.size === 0) return "";
    return `WITH ${[...this.bound].map(([sql, name]) => `${sql} AS ${name}`).join(", ")} `;
  }
}
