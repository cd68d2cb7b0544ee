export * from "./base.js";
export * from "./printableText.js";
