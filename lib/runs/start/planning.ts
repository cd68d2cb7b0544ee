import { CommandParseError } from "../../agent/errors.js";
import { parseCommand } from "../../agent/grammar/parseCommand.js";
import type { TokenList } from "../../agent/tokens.js";
import { resolveAmount, viewAmount } from "../../amounts/index.js";
import { getTokens } from "../../chain/registry.js";
import { getConfig } from "../../config.js";
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

/**
 * A resolved limit back in its canonical request form ("1,000.50" usdc → "1000.5" USDC), for the
 * policy check, which reads plain decimals and symbols.
 */
export function canonicalLimit(limit: BaseUnitLimit): { amount: string; token: string } {
  const view = viewAmount(limit.amount, limit.token);
  return { amount: view.amount ?? limit.amount.toString(), token: view.token };
}

/**
 * A {amount, token} in whole units → base units ("USD" amounts are micro-dollars). `field` names
 * the request field in a refusal: the same resolution serves `budget` and `dailyLimit`.
 */
export function resolveBudget(
  budget: { amount: string; token: string },
  field: "budget" | "dailyLimit" = "budget",
): BaseUnitLimit {
  const { baseUnits, token } = resolveAmount(budget, { allowUsd: true, field });
  return { amount: baseUnits, token };
}
