/** The one place a time window gets its defaults. */
import { formatTimeMs } from "../domain/time.js";

export interface ResolvedWindow {
  startMs: number;
  endMs: number;
}

/** The window as answers state it. */
export interface WindowOutput {
  start_time: string;
  end_time: string;
}

/** A missing end is now; a missing start is the backend's default look-back before the end. */
export function resolveWindow(startMs: number | undefined, endMs: number | undefined, lookbackMs: number, now: number): ResolvedWindow {
  const end = endMs ?? now;
  return { startMs: startMs ?? end - lookbackMs, endMs: end };
}

export function windowOutput(w: ResolvedWindow): WindowOutput {
  return { start_time: formatTimeMs(w.startMs), end_time: formatTimeMs(w.endMs) };
}
