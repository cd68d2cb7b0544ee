import { z } from "zod";

/**
 * An instant in a response: handlers may return a Date, which JSON carries as an ISO 8601 string
 * (lib/openapi renders z.date() as that string).
 */
export const timestamp = z.union([z.iso.datetime({ offset: true }), z.date()]);
