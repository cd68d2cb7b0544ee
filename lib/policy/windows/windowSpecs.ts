import type { NetworkName } from "../../config.js";
import { limitOf, type Unit, unitOf } from "../amounts.js";
import type { PolicyDocument } from "../schemas.js";

/** Length of each rolling period. */
export const PERIOD_MS = { hour: 3_600_000, day: 86_400_000, week: 604_800_000 } as const;

/** One window of a policy, in base units. */
export interface WindowSpec {
  /** Position in the document's `windows` (the rule is `windows[index]`). */
  index: number;
  period: keyof typeof PERIOD_MS;
  periodMs: number;
  /** Unit of `limit` (and of what each reservation charges); USD when the window counts only. */
  unit: Unit;
  /** Most that may be reserved or spent within the period; null = count only. */
  limit: bigint | null;
  maxCount: number | null;
}

/** The document's windows with their limits in base units (micro-dollars for USD). */
export function windowSpecs(network: NetworkName, document: PolicyDocument): WindowSpec[] {
  return document.windows.map((window, index) => {
    const limit =
      window.amount !== undefined && window.token !== undefined
        ? limitOf(network, { amount: window.amount, token: window.token }, `windows[${index}]`)
        : undefined;
    return {
      index,
      period: window.period,
      periodMs: PERIOD_MS[window.period],
      unit: limit?.unit ?? (unitOf(network, "USD") as Unit),
      limit: limit?.amount ?? null,
      maxCount: window.maxCount ?? null,
    };
  });
}

/** "3 per hour", "100 USD per day", "100 USD and 3 actions per day". */
export function describeWindow(spec: WindowSpec, format: (unit: Unit, amount: bigint) => string) {
  const parts: string[] = [];
  if (spec.limit !== null) parts.push(format(spec.unit, spec.limit));
  if (spec.maxCount !== null)
    parts.push(spec.limit === null ? `${spec.maxCount}` : `${spec.maxCount} actions`);
  return `${parts.join(" and ")} per ${spec.period}`;
}
