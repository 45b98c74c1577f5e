/** `Authorization: Bearer <token>` check for the receiver. */
import { createHash, timingSafeEqual } from "node:crypto";

function digest(s: string): Buffer {
  return createHash("sha256").update(s).digest();
}

/**
 * True when the header carries exactly `token`. Both sides are hashed first so the comparison
 * is constant-time in the token's length as well as its content.
 */
export function bearerTokenMatches(header: string | undefined, token: string): boolean {
  const match = /^\s*bearer\s+(\S+)\s*$/i.exec(header ?? "");
  if (!match) return false;
  return timingSafeEqual(digest(match[1]!), digest(token));
}
