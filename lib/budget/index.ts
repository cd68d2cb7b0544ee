export * from "./errors.js";
export * from "./getBudgetStatus.js";
export * from "./getDailyAllowance.js";
export * from "./releaseBudget.js";
export * from "./reservation.js";
export * from "./reserveBudget.js";
export * from "./settleBudget.js";
export { type LedgerTotals, sumLedger } from "./sumLedger.js";
export { microsToUsd, USD, unitOf, usdToMicros, utcDay } from "./units.js";
