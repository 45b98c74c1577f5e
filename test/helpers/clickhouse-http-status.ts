/**
 * The HTTP status ClickHouse's HTTP interface answers an exception with, keyed by the error's
 * name (the engine maps names to codes: errorCodeToName). Mirrors ClickHouse's
 * src/Server/HTTP/exceptionCodeToHTTPStatus.cpp (ClickHouse/ClickHouse @ 08f89d9b); every other
 * error is a 500.
 */
const STATUS_BY_ERROR_NAME: Readonly<Record<string, number>> = {
  REQUIRED_PASSWORD: 401,
  ...Object.fromEntries(
    ["UNKNOWN_USER", "WRONG_PASSWORD", "AUTHENTICATION_FAILED", "SET_NON_GRANTED_ROLE", "ACCESS_DENIED"].map((n) => [n, 403]),
  ),
  ...Object.fromEntries(
    [
      "BAD_ARGUMENTS",
      "CANNOT_COMPILE_REGEXP",
      "CANNOT_PARSE_TEXT",
      "CANNOT_PARSE_ESCAPE_SEQUENCE",
      "CANNOT_PARSE_QUOTED_STRING",
      "CANNOT_PARSE_DATE",
      "CANNOT_PARSE_DATETIME",
      "CANNOT_PARSE_NUMBER",
      "CANNOT_PARSE_DOMAIN_VALUE_FROM_STRING",
      "CANNOT_PARSE_IPV4",
      "CANNOT_PARSE_IPV6",
      "CANNOT_PARSE_INPUT_ASSERTION_FAILED",
      "CANNOT_PARSE_UUID",
      "DUPLICATE_COLUMN",
      "ILLEGAL_COLUMN",
      "UNKNOWN_ELEMENT_IN_AST",
      "UNKNOWN_TYPE_OF_AST_NODE",
      "THERE_IS_NO_COLUMN",
      "TOO_DEEP_AST",
      "TOO_BIG_AST",
      "UNEXPECTED_AST_STRUCTURE",
      "SYNTAX_ERROR",
      "INCORRECT_DATA",
      "TYPE_MISMATCH",
      "VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE",
    ].map((n) => [n, 400]),
  ),
  ...Object.fromEntries(
    [
      "UNKNOWN_TABLE",
      "UNKNOWN_FUNCTION",
      "UNKNOWN_IDENTIFIER",
      "UNKNOWN_TYPE",
      "UNKNOWN_STORAGE",
      "UNKNOWN_DATABASE",
      "UNKNOWN_SETTING",
      "UNKNOWN_DIRECTION_OF_SORTING",
      "UNKNOWN_AGGREGATE_FUNCTION",
      "UNKNOWN_FORMAT",
      "UNKNOWN_DATABASE_ENGINE",
      "UNKNOWN_TYPE_OF_QUERY",
      "UNKNOWN_ROLE",
    ].map((n) => [n, 404]),
  ),
  QUERY_IS_TOO_LARGE: 413,
  NOT_IMPLEMENTED: 501,
  SOCKET_TIMEOUT: 503,
  CANNOT_OPEN_FILE: 503,
  HTTP_LENGTH_REQUIRED: 411,
  TIMEOUT_EXCEEDED: 408,
  CANNOT_SCHEDULE_TASK: 503,
  UNSUPPORTED_MEDIA_TYPE: 415,
};

export function httpStatusForClickHouseError(name: string): number {
  return STATUS_BY_ERROR_NAME[name] ?? 500;
}
