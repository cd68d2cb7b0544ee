import type { Kysely } from "kysely";
import { CommandParseError } from "../../agent/errors.js";
import type { Command } from "../../agent/intent.js";
import { loadMemory, type SessionMemory } from "../../agent/memory.js";
import { createLanguageModel } from "../../agent/model/createLanguageModel.js";
import type { ModelUsage } from "../../agent/model/modelCommand.js";
import { understandCommand } from "../../agent/understandCommand.js";
import { getConfig } from "../../config.js";
import type { Database, Run } from "../../db/database.js";
import { listServiceNames } from "../../registry/listServiceNames.js";
import type { CostItem } from "../cost.js";
import { agentTokens } from "../start/planning.js";
import type { RunOptions } from "../start/startRun.js";

/**
 * Turns the run's request into a command: a direct request (x402, transfer) as it is, else the
 * grammar with the session's memory, else the language model when one is configured.
 */
export async function understandRun(
  db: Kysely<Database>,
  run: Run,
): Promise<{ command: Command; usage?: ModelUsage }> {
  const options = (run.options as RunOptions | null) ?? {};
  if (run.kind === "x402" && options.x402) {
    const { url, maxAmount, token, tool } = options.x402;
    return {
      command: { steps: [{ kind: "pay", url, maxAmount, token, ...(tool ? { tool } : {}) }] },
    };
  }
  if (run.kind === "transfer" && options.transfer) {
    const { token, amount, to } = options.transfer;
    return {
      command: {
        steps: [{ kind: "transfer", token, amount, to: { type: "address", address: to } }],
      },
    };
  }
  // The grammar needs the session's memory only for a reference ("do that again"), and the
  // registered services only for the examples of a refusal: each is read when a parse asks for it,
  // which spares most runs two statements (issue 17). The answer is the same as reading both first.
  const model = createLanguageModel(getConfig());
  let memory: SessionMemory | undefined;
  let services: string[] | undefined;
  for (;;) {
    try {
      const understood = await understandCommand({
        text: run.command,
        tokens: agentTokens(),
        memory,
        services,
        model,
      });
      return {
        command: understood.command,
        ...(understood.usage ? { usage: understood.usage } : {}),
      };
    } catch (error) {
      if (!(error instanceof CommandParseError)) throw error;
      if (error.reason === "memory" && memory === undefined) {
        memory = await loadMemory(db, run.session_id);
        continue;
      }
      // With a model an unrecognised phrasing went to the model, and its failure is final.
      const refused = error.reason === "unsupported" || (error.reason === "unrecognized" && !model);
      if (refused && services === undefined) {
        services = await listServiceNames(db);
        continue;
      }
      throw error;
    }
  }
}

/**
 * The cost item of one model call: its tokens, and why it failed when it did. Recorded for every
 * call, answered or not, so a run's cost shows each attempt the provider was asked.
 */
export function modelCost(usage: ModelUsage | undefined, failure?: string): CostItem {
  const input = usage?.inputTokens ?? 0;
  const output = usage?.outputTokens ?? 0;
  return {
    kind: "model",
    unit: "tokens",
    amount: String(input + output),
    detail: `${getConfig().AI_MODEL}: ${input} input + ${output} output tokens${failure ? ` (failed: ${failure})` : ""}`,
  };
}
