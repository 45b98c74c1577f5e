/** The redaction levels (cumulative: secrets ⊂ pii ⊂ content); `none` shows raw values. */
export const REDACT_LEVELS = ["none", "secrets", "pii", "content"] as const;
export type RedactLevel = (typeof REDACT_LEVELS)[number];
export const DEFAULT_REDACT_LEVEL: RedactLevel = "secrets";
