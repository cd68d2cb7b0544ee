export * from "./errors.js";
export * from "./respond.js";
export * from "./route.js";
export * from "./validate.js";
