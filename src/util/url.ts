/** URL helpers shared by the CLI's logs and the backends' messages (no imports: safe on the start-up path). */

/** The URL without credentials (user info) or query string, for messages and logs. */
export function displayUrl(raw: string): string {
  try {
    const u = new URL(raw);
    u.username = "";
    u.password = "";
    u.search = "";
    return u.toString().replace(/\/$/, "");
  } catch {
    return "(invalid URL)";
  }
}
