/**
 * Checks that text carries no secret, whole or in part: the whole value, and every fragment long
 * enough to matter (half the secret, at most 8 characters), so a secret cut by a snippet limit
 * or by the backend's own truncation still counts as a leak.
 */
import { expect } from "vitest";

/** The longest fragment of `secret` that occurs in `text`, or "" when none of `min` characters does. */
export function leakedFragment(text: string, secret: string, min = Math.min(8, Math.ceil(secret.length / 2))): string {
  for (let len = secret.length; len >= min; len--) {
    for (let i = 0; i + len <= secret.length; i++) {
      const frag = secret.slice(i, i + len);
      if (text.includes(frag)) return frag;
    }
  }
  return "";
}

export function expectNoSecrets(text: string, secrets: readonly string[], label = ""): void {
  for (const s of secrets) {
    expect(leakedFragment(text, s), `${label} leaks part of a secret in: ${text}`).toBe("");
  }
}
