import type { Kysely } from "kysely";
import { parseUnits } from "viem";
import { CommandParseError } from "../../agent/errors.js";
import { parseCommand } from "../../agent/grammar/parseCommand.js";
import type { Command } from "../../agent/intent.js";
import { loadMemory } from "../../agent/memory.js";
import { createLanguageModel } from "../../agent/model/createLanguageModel.js";
import type { Plan } from "../../agent/plan.js";
import { planCommand } from "../../agent/planner.js";
import type { TokenList } from "../../agent/tokens.js";
import { understandCommand } from "../../agent/understandCommand.js";
import { getTokens, requireToken } from "../../chain/registry.js";
import { getConfig } from "../../config.js";
import type { Database, Run } from "../../db/database.js";
import { ClientError } from "../../errors/index.js";
import type { BaseUnitLimit } from "../../sessions/createSession.js";
import type { CostItem } from "../cost.js";
import { createPlannerContext } from "./plannerContext.js";
import type { RunOptions } from "./startRun.js";

/** Tokens of the configured network, in the shape the grammar and planner take. */
export function agentTokens(): TokenList {
  return getTokens(getConfig().PAYGENT_NETWORK).map((t) => ({
    symbol: t.symbol,
    decimals: t.decimals,
    aliases: [...t.aliases],
  }));
}

/** True when a language model is configured to interpret what the grammar cannot. */
export function modelConfigured(): boolean {
  const config = getConfig();
  return Boolean(config.AI_GATEWAY_API_KEY || config.OPENAI_API_KEY || config.ANTHROPIC_API_KEY);
}

/**
 * Fast pre-check at the API edge: a command the grammar rejects for a reason no model or session
 * memory could fix is answered 422 before any run starts.
 */
export function checkCommand(text: string): void {
  if (modelConfigured()) return;
  try {
    parseCommand(text, { tokens: agentTokens() });
  } catch (error) {
    // References to earlier commands need the session's memory, which the run itself loads.
    if (error instanceof CommandParseError && error.reason === "memory") return;
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

/** Turns the run's request into a command: the grammar (with session memory), or a direct request. */
async function understand(
  db: Kysely<Database>,
  run: Run,
  tokens: TokenList,
): Promise<{ command: Command; cost: CostItem[] }> {
  const options = (run.options as RunOptions | null) ?? {};
  if (run.kind === "x402" && options.x402) {
    const { url, maxAmount, token } = options.x402;
    return { command: { steps: [{ kind: "pay", url, maxAmount, token }] }, cost: [] };
  }
  if (run.kind === "transfer" && options.transfer) {
    const { token, amount, to } = options.transfer;
    return {
      command: {
        steps: [{ kind: "transfer", token, amount, to: { type: "address", address: to } }],
      },
      cost: [],
    };
  }
  const memory = await loadMemory(db, run.session_id);
  const config = getConfig();
  const model = createLanguageModel(config);
  const understood = await understandCommand({ text: run.command, tokens, memory, model });
  const usage = understood.usage;
  const cost: CostItem[] = usage
    ? [
        {
          kind: "model",
          unit: "tokens",
          amount: String(usage.inputTokens + usage.outputTokens),
          detail: `${config.AI_MODEL}: ${usage.inputTokens} input + ${usage.outputTokens} output tokens`,
        },
      ]
    : [];
  return { command: understood.command, cost };
}

/** Understand and plan a run, applying policy (budget, approval threshold, allowed actions). */
export async function understandAndPlan(
  db: Kysely<Database>,
  run: Run,
): Promise<{ intent: Command; plan: Plan; cost: CostItem[] }> {
  const tokens = agentTokens();
  const { command, cost } = await understand(db, run, tokens);
  const ctx = await createPlannerContext(db, run, tokens);
  const plan = await planCommand(command, ctx);
  return { intent: command, plan, cost };
}
