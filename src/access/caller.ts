/**
 * Who is calling: the name of the API key a request authenticated with (never the token) and
 * the services it may see. The HTTP transport attaches it to each request as the MCP SDK's
 * AuthInfo, which the SDK hands to request handlers as `extra.authInfo`.
 */
import type { AuthInfo } from "@modelcontextprotocol/sdk/server/auth/types.js";
import { ALL_SERVICES, type ServiceScope } from "./scope.js";

export interface Caller {
  /** Key name from the keys file; `auth-token` for --auth-token; `anonymous` on open HTTP; `local` on stdio. */
  key: string;
  scope: ServiceScope;
}

export const LOCAL_CALLER: Caller = { key: "local", scope: ALL_SERVICES };
export const ANONYMOUS_CALLER: Caller = { key: "anonymous", scope: ALL_SERVICES };
export const AUTH_TOKEN_KEY_NAME = "auth-token";

/** AuthInfo for a request; `token` is left empty so the token itself never travels past the check. */
export function authInfoFor(caller: Caller): AuthInfo {
  return { token: "", clientId: caller.key, scopes: [], extra: { caller } };
}

/** The caller a handler's `extra.authInfo` names, or the local caller (stdio, in-process). */
export function callerOf(authInfo: AuthInfo | undefined): Caller {
  const caller = authInfo?.extra?.caller as Caller | undefined;
  return caller && typeof caller.key === "string" && caller.scope ? caller : LOCAL_CALLER;
}
