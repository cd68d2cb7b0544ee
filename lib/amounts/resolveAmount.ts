import { DecimalFormatError, parseDecimal } from "../agent/decimal.js";
import { getTokens, requireToken, type TokenInfo } from "../chain/registry.js";
import { getConfig, type NetworkName } from "../config.js";
import { ClientError } from "../errors/index.js";
import type { AmountInput } from "./schemas.js";

/** US dollars as a unit of limits: counted in micro-dollars, like USDC. */
export const USD_UNIT = { symbol: "USD", decimals: 6 } as const;

/** An amount of a request in base units, with the token it is counted in. */
export interface ResolvedAmount {
  baseUnits: bigint;
  /** The token's symbol, or "USD" for a dollar limit. */
  token: string;
  decimals: number;
  /** The token itself; undefined for "USD". */
  info: TokenInfo | undefined;
}

export interface ResolveAmountOptions {
  /** Network whose tokens the symbol or address names (default: the deployment's). */
  network?: NetworkName;
  /** Accept token "USD" (limits); payments and transfers need a real token. */
  allowUsd?: boolean;
  /** Accept zero (price filters); limits, payments and transfers must be positive. */
  allowZero?: boolean;
  /** Where the amount sits in the request, for messages ("maxAmount", "price"). */
  field?: string;
}

/**
 * `{amount: "0.10", token: "USDC"}` → 100000n of USDC: the token looked up by symbol, alias or
 * address on the network, the decimal parsed exactly (never through a float). Every failure is a
 * 400 naming the field and what would be accepted.
 */
export function resolveAmount(
  input: AmountInput,
  options: ResolveAmountOptions = {},
): ResolvedAmount {
  const network = options.network ?? getConfig().PAYGENT_NETWORK;
  const field = options.field ?? "amount";
  let unit: { symbol: string; decimals: number; info: TokenInfo | undefined };
  if (input.token.toUpperCase() === USD_UNIT.symbol) {
    if (!options.allowUsd) {
      throw new ClientError(
        "validation_failed",
        `${field}: "USD" is not a token; name one such as USDC (known on ${network}: ${knownSymbols(network)})`,
      );
    }
    unit = { ...USD_UNIT, info: undefined };
  } else {
    let info: TokenInfo;
    try {
      info = requireToken(network, input.token);
    } catch (error) {
      throw new ClientError(
        "validation_failed",
        `${field}: unknown token "${input.token}" on ${network}; known: ${knownSymbols(network)}${options.allowUsd ? ", USD" : ""}`,
        { cause: error },
      );
    }
    unit = { symbol: info.symbol, decimals: info.decimals, info };
  }
  let baseUnits: bigint;
  try {
    baseUnits = parseDecimal(input.amount, unit.decimals);
  } catch (error) {
    if (!(error instanceof DecimalFormatError)) throw error;
    throw new ClientError(
      "validation_failed",
      `${field}: ${error.shortMessage} (${unit.symbol} has ${unit.decimals} decimals)`,
      { cause: error },
    );
  }
  if (baseUnits === 0n && !options.allowZero) {
    throw new ClientError("validation_failed", `${field}: must be more than 0 ${unit.symbol}`);
  }
  return { baseUnits, token: unit.symbol, decimals: unit.decimals, info: unit.info };
}

function knownSymbols(network: NetworkName): string {
  return getTokens(network)
    .map((token) => token.symbol)
    .join(", ");
}
