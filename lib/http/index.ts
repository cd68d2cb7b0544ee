export * from "./endpoint.js";
export * from "./errors.js";
export * from "./guard.js";
export * from "./respond.js";
export * from "./route.js";
export * from "./validate.js";
