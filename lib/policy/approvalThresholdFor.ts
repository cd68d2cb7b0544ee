import { parseDecimal } from "../agent/decimal.js";
import { getConfig } from "../config.js";
import { USD_MICRO_DECIMALS } from "./amounts.js";
import type { PolicyDocument } from "./schemas.js";

/** The highest approval threshold a key may work under: its policy's, else the deployment default. */
export function approvalThresholdCeiling(document: PolicyDocument): string {
  return document.approvalThresholdUsd ?? getConfig().DEFAULT_APPROVAL_THRESHOLD_USD;
}

/**
 * The approval threshold a run plans under: what its command or session asked, capped at the
 * key's ceiling. A command or session above the ceiling is refused when written
 * (checkCommandLimits); capping again here covers sessions written before that check existed and a
 * policy lowered since the session was opened.
 */
export function approvalThresholdFor(document: PolicyDocument, asked?: string | null): string {
  const ceiling = approvalThresholdCeiling(document);
  if (asked === undefined || asked === null) return ceiling;
  return parseDecimal(asked, USD_MICRO_DECIMALS) < parseDecimal(ceiling, USD_MICRO_DECIMALS)
    ? asked
    : ceiling;
}
