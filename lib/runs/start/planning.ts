import { parseUnits } from "viem";
import { CommandParseError } from "../../agent/errors.js";
import { parseCommand } from "../../agent/grammar/parseCommand.js";
import type { TokenList } from "../../agent/tokens.js";
import { getTokens, requireToken } from "../../chain/registry.js";
import { getConfig } from "../../config.js";
import { ClientError } from "../../errors/index.js";
import type { BaseUnitLimit } from "../../sessions/createSession.js";

/** Tokens of the configured network, in the shape the grammar and planner take. */
export function agentTokens(): TokenList {
  return getTokens(getConfig().PAYGENT_NETWORK).map((t) => ({
    symbol: t.symbol,
    decimals: t.decimals,
    aliases: [...t.aliases],
  }));
}

/** True when a language model is configured to interpret what the grammar cannot. */
function modelConfigured(): boolean {
  const config = getConfig();
  return Boolean(config.AI_GATEWAY_API_KEY || config.OPENAI_API_KEY || config.ANTHROPIC_API_KEY);
}

/**
 * Fast pre-check at the API edge: a command the grammar rejects for a reason no model or session
 * memory could fix is answered 422 before any run starts. A command not understood at all is
 * refused with examples built from `loadServices` (the registered services), read only then.
 */
export async function checkCommand(
  text: string,
  loadServices: () => Promise<string[]> = async () => [],
): Promise<void> {
  if (modelConfigured()) return;
  const tokens = agentTokens();
  try {
    parseCommand(text, { tokens });
  } catch (error) {
    if (!(error instanceof CommandParseError)) throw error;
    // References to earlier commands need the session's memory, which the run itself loads.
    if (error.reason === "memory") return;
    if (error.reason === "unrecognized" || error.reason === "unsupported") {
      // The same (deterministic) refusal again, now with this deployment's services as examples.
      parseCommand(text, { tokens, services: await loadServices() });
    }
    throw error;
  }
}

/** A {amount, token} in whole units → base units ("USD" amounts are micro-dollars). */
export function resolveBudget(budget: { amount: string; token: string }): BaseUnitLimit {
  if (budget.token.toUpperCase() === "USD")
    return { amount: parseUnits(budget.amount, 6), token: "USD" };
  let token: ReturnType<typeof requireToken>;
  try {
    token = requireToken(getConfig().PAYGENT_NETWORK, budget.token);
  } catch (error) {
    throw new ClientError("validation_failed", `Unknown budget token "${budget.token}"`, {
      cause: error,
    });
  }
  const [, fraction = ""] = budget.amount.split(".");
  if (fraction.length > token.decimals) {
    throw new ClientError(
      "validation_failed",
      `${token.symbol} has ${token.decimals} decimals; "${budget.amount}" has more`,
    );
  }
  return { amount: parseUnits(budget.amount, token.decimals), token: token.symbol };
}
