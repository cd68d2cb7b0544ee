import { isAddress, zeroAddress } from "viem";
import { z } from "zod";

/** Zod pieces shared by the action schemas. Their .describe() texts reach the model, OpenAPI and MCP tools. */

/** An integer amount in a token's base units, as a decimal string. */
export const baseUnits = z
  .string()
  .regex(/^\d+$/)
  .describe("Integer amount in the token's base units (e.g. 100000 for 0.1 USDC)");

/** A token symbol from the network's registry. */
export const tokenSymbol = z.string().min(1).describe("Token symbol, e.g. CRO or USDC");

const addressPattern = /^0x[0-9a-fA-F]{40}$/;

/**
 * EIP-55: a single-case address carries no checksum; a mixed-case one must match its checksum
 * (viem's strict isAddress refuses all-uppercase too, which EIP-55 allows). A mistyped mixed-case
 * address is refused here instead of failing the run later.
 */
export function hasValidChecksum(value: string): boolean {
  if (!addressPattern.test(value)) return true; // The pattern's own message says what is wrong.
  const hex = value.slice(2);
  if (hex === hex.toLowerCase() || hex === hex.toUpperCase()) return true;
  return isAddress(value, { strict: true });
}

/** A 0x-prefixed 20-byte EVM address, checksummed (EIP-55) or single-case. */
export const evmAddress = z
  .string()
  .regex(addressPattern, "must be a 0x-prefixed 20-byte address")
  .refine(
    hasValidChecksum,
    "has a wrong EIP-55 checksum: check the address, or send it all lowercase",
  )
  .describe("EVM address (0x followed by 40 hex digits)");

/** Where tokens are sent: any address but the zero address, where they would be lost for good. */
export const recipientAddress = evmAddress.refine(
  (value) => value.toLowerCase() !== zeroAddress,
  "must not be the zero address (tokens sent there are lost)",
);

/** A catalogue service's id. */
export const serviceId = z.string().min(1).describe("Catalogue id of the service (svc_…)");

/** The service's display name, kept so results and approvals read as a person would say them. */
export const serviceName = z
  .string()
  .min(1)
  .max(200)
  .describe("Display name of the service, for results and approvals");

/** A dollar figure the user said ("$10"), kept beside the stablecoin amount paid for it. */
export const usdFigure = z
  .string()
  .regex(/^\d+(\.\d+)?$/)
  .describe(
    'The dollar figure the user said ("$10" → "10"); the amount is that many units of the USD stablecoin',
  );

/** Marks an action that moves a token's whole balance, read from the chain when it runs. */
export const wholeBalance = z
  .literal(true)
  .describe(
    "Moves the whole balance when it runs (minus a gas reserve for the gas token); the amount is the one read at planning",
  );

/**
 * One call of a paid MCP tool (issue 15): paid with x402 over MCP at the action's `url`, which is
 * then the MCP server's endpoint. Arguments are the tool's own, passed through as given.
 */
export const mcpToolCall = z
  .object({
    name: z
      .string()
      .min(1)
      .max(128)
      .describe("Name of the tool on the paid MCP server (see the service's tools)"),
    arguments: z
      .record(z.string(), z.unknown())
      .default({})
      .describe("Arguments of that tool, as its input schema asks"),
  })
  .describe("For a paid MCP service: the tool to call at `url` (which is then the MCP endpoint)");
export type McpToolCall = z.output<typeof mcpToolCall>;
