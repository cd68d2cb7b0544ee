import { z } from "zod";

/** A JSON Schema object as OpenAPI 3.1 embeds it (JSON Schema 2020-12). */
export type JsonSchema = Record<string, unknown>;

/**
 * Converts a zod schema to the JSON Schema of what a client SENDS (io: "input": defaults make a
 * field optional, transforms are described by their input). Every sub-schema is inlined, so the
 * result carries no `$defs` that would dangle once embedded in the OpenAPI document.
 */
export function toJsonSchema(schema: z.ZodType): JsonSchema {
  const converted = z.toJSONSchema(schema, {
    io: "input",
    reused: "inline",
    cycles: "throw",
    // A refine() or transform() has no JSON Schema form; the surrounding shape still documents it.
    unrepresentable: "any",
    // A Date a handler returns reaches the client as JSON: an ISO 8601 string.
    override: (context) => {
      if (context.zodSchema._zod.def.type === "date") {
        context.jsonSchema.type = "string";
        context.jsonSchema.format = "date-time";
      }
    },
  }) as JsonSchema;
  const { $schema: _dialect, ...rest } = converted;
  return rest;
}

/**
 * Splits an object schema into OpenAPI parameters (query or path), one per property, keeping each
 * property's own JSON Schema and description.
 */
export function toParameters(
  schema: z.ZodType,
  location: "query" | "path",
): {
  name: string;
  in: "query" | "path";
  required: boolean;
  description?: string;
  schema: JsonSchema;
}[] {
  const json = toJsonSchema(schema);
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: location,
      // Path parameters are always required in OpenAPI.
      required: location === "path" || required.has(name),
      ...(typeof description === "string" ? { description } : {}),
      schema: rest,
    };
  });
}
