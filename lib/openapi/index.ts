export * from "./buildOpenApiDocument.js";
export * from "./endpoints.js";
export * from "./toJsonSchema.js";
