export * from "./base.js";
