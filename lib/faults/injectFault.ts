import { getConfig } from "../config.js";
import { log } from "../log.js";

/** The points the durability tests can kill a host at (PAYGENT_FAULT). */
export type FaultPoint = "after-settle" | "after-action" | "after-accept" | "after-decision";

/**
 * Durability tests only: when PAYGENT_FAULT names this point, the process dies by SIGKILL, exactly
 * like a crashed host (no cleanup, no finally). `afterMs` lets an answer already on its way go out
 * first. Returns whether the fault fired (the caller stops there).
 */
export function injectFault(
  point: FaultPoint,
  details: Record<string, unknown> = {},
  afterMs = 0,
): boolean {
  if (getConfig().PAYGENT_FAULT !== point) return false;
  log.warn("fault injection: killing the process", { point, pid: process.pid, ...details });
  if (afterMs > 0) setTimeout(() => process.kill(process.pid, "SIGKILL"), afterMs);
  else process.kill(process.pid, "SIGKILL");
  return true;
}
