export * from "./resolveAmount.js";
export * from "./schemas.js";
export * from "./viewAmount.js";
export * from "./viewAssetAmount.js";
export * from "./viewUsd.js";
