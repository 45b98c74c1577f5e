/**
 * Where the store lives by default: the platform's per-user data directory plus
 * "opentelemetry-mcp" (XDG on Linux and other Unixes, Application Support on macOS,
 * %LOCALAPPDATA% on Windows).
 */
import { homedir } from "node:os";
import { posix, win32 } from "node:path";

export const APP_DIR_NAME = "opentelemetry-mcp";

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = homedir()): string {
  if (platform === "win32") {
    const local = env.LOCALAPPDATA || win32.join(env.USERPROFILE || home, "AppData", "Local");
    return win32.join(local, APP_DIR_NAME);
  }
  if (platform === "darwin") return posix.join(env.HOME || home, "Library", "Application Support", APP_DIR_NAME);
  // XDG Base Directory: a relative XDG_DATA_HOME is invalid and must be ignored.
  const xdg = env.XDG_DATA_HOME;
  if (xdg && posix.isAbsolute(xdg)) return posix.join(xdg, APP_DIR_NAME);
  return posix.join(env.HOME || home, ".local", "share", APP_DIR_NAME);
}
