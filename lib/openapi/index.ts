export * from "./buildOpenApiDocument.js";
export * from "./toJsonSchema.js";
