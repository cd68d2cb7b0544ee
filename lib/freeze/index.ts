export * from "./assertNotFrozen.js";
export * from "./errors.js";
export * from "./freezeTargets.js";
export * from "./setFrozen.js";
