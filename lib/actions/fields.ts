import { z } from "zod";

/** Zod pieces shared by the action schemas. Their .describe() texts reach the model, OpenAPI and MCP tools. */

/** An integer amount in a token's base units, as a decimal string. */
export const baseUnits = z
  .string()
  .regex(/^\d+$/)
  .describe("Integer amount in the token's base units (e.g. 100000 for 0.1 USDC)");

/** A token symbol from the network's registry. */
export const tokenSymbol = z.string().min(1).describe("Token symbol, e.g. CRO or USDC");

/** A 0x-prefixed 20-byte EVM address. */
export const evmAddress = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/)
  .describe("EVM address (0x followed by 40 hex digits)");

/** A catalogue service's id. */
export const serviceId = z.string().min(1).describe("Catalogue id of the service (svc_…)");

/** The service's display name, kept so results and approvals read as a person would say them. */
export const serviceName = z
  .string()
  .min(1)
  .max(200)
  .describe("Display name of the service, for results and approvals");
