import { formatBps } from "../../amounts/formatBps.js";
import type { PriceGap } from "./measurePriceGap.js";

/**
 * Why a swap into a pool below its average is refused, the same words at planning and at the step:
 * how far below, over how long, what is accepted, and when a real move will be.
 */
export function describePriceGap(
  swap: { tokenIn: string; tokenOut: string },
  gap: PriceGap,
  guard: { averageMinutes: number; maxGapBps: number },
): string {
  return `Swap of ${swap.tokenIn} for ${swap.tokenOut} refused: the pool pays ${formatBps(gap.gapBps)} less than its average over the last ${formatSeconds(gap.averageSeconds)} (at most ${formatBps(guard.maxGapBps)} is accepted), as a pool pushed for a moment would; nothing was sent. If the price really moved, the same swap is accepted once the average has caught up, about ${formatSeconds(guard.averageMinutes * 60)} after the move`;
}

/** 60 → "1 minute", 930 → "16 minutes" (rounded), 5400 → "1.5 hours". */
function formatSeconds(seconds: number): string {
  const minutes = Math.max(1, Math.round(seconds / 60));
  if (minutes < 90) return minutes === 1 ? "1 minute" : `${minutes} minutes`;
  return `${(seconds / 3600).toFixed(1).replace(/\.0$/, "")} hours`;
}
