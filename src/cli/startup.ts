/**
 * What the server says when it starts. Nothing has contacted the backend yet (that happens on the
 * first tool call), so the line names the backend without claiming a connection; its URL is shown
 * without user info or query string, which may hold credentials.
 */
import type { Config } from "../config.js";
import { displayUrl } from "../util/url.js";
import { PROGRAM } from "./errors.js";

export interface StartupLine {
  fields: Record<string, unknown>;
  msg: string;
}

export function backendFields(config: Config): { backend: string; url: string } {
  return { backend: config.backend.type, url: displayUrl(config.backend.url) };
}

/** The log lines of a stdio start; a terminal on stdin also gets told what the silence means. */
export function stdioStartupLines(config: Config, stdinIsTTY: boolean): StartupLine[] {
  const { backend, url } = backendFields(config);
  const lines: StartupLine[] = [{ fields: { backend, url }, msg: `Starting MCP server with stdio transport; backend ${backend} at ${url}` }];
  if (stdinIsTTY) {
    lines.push({
      fields: {},
      msg:
        "Waiting for an MCP client on stdin. MCP clients (Claude Desktop, Cursor, the MCP Inspector) start this command themselves; " +
        `press Ctrl+C to quit. To run one tool from a shell instead: ${PROGRAM} call list_services`,
    });
  }
  return lines;
}

/** The backend line of an HTTP start (src/mcp/http.ts logs the MCP endpoint itself). */
export function httpStartupLine(config: Config): StartupLine {
  const { backend, url } = backendFields(config);
  return { fields: { backend, url }, msg: `Starting MCP server with HTTP transport; backend ${backend} at ${url}` };
}
