/**
 * Bound parameters. Every value (and every attribute name) reaches the engine as a parameter,
 * never as SQL text; the dialect decides the placeholder syntax.
 */
export type SqlType = "VARCHAR" | "DOUBLE" | "BIGINT" | "BOOLEAN" | "VARCHAR[]" | "DOUBLE[]";

export type SqlValue = string | number | boolean | bigint | null | readonly string[] | readonly number[];

export interface SqlParam {
  value: SqlValue;
  type: SqlType;
}

export type ParamMap = Record<string, SqlParam>;

export class Params {
  private next = 0;
  readonly values: ParamMap = {};

  constructor(private readonly placeholder: (name: string, type: SqlType) => string) {}

  add(value: SqlValue, type: SqlType): string {
    const name = `p${this.next++}`;
    this.values[name] = { value, type };
    return this.placeholder(name, type);
  }
}
