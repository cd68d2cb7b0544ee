import { type Kysely, sql } from "kysely";
import { shortAddress, shortUrl } from "../actions/format.js";
import { Action } from "../actions/schemas.js";
import { formatBps } from "../amounts/formatBps.js";
import { findToken, getNetwork } from "../chain/registry.js";
import { getConfig } from "../config.js";
import type { Database } from "../db/database.js";
import { findServiceByNameOrUrl } from "../registry/findServiceByNameOrUrl.js";
import { humanAmount } from "./humanAmount.js";
import type { SentencePart } from "./schemas.js";

/** An amount of the action a person may change in an edit, in base units of `token`. */
export interface EditableAmount {
  field: string;
  label: string;
  token: string;
  decimals: number;
  value: string;
}

/** What an approval lets happen, as a sentence with its context, and the amounts an edit may change. */
export interface ApprovalDescription {
  sentence: SentencePart[];
  editable: EditableAmount[];
}

/**
 * The sentence of an action waiting for approval, with the context a person needs to judge it:
 * "Send **50 USDC** to 0x90F7…b906 (new payee)", "Swap **1,008.70 CRO** for at least
 * **100.00 USDC** on VVS Finance (0.5% slippage)", "Pay **0.10 USDC** to Market Data API
 * (reputation 4.6, 12 payments)". `runId` is left out of the payee history, which covers the
 * runs of the same agent key.
 */
export async function describeApproval(
  db: Kysely<Database>,
  parameters: { action: unknown; runId: string; fallback: string },
): Promise<ApprovalDescription> {
  const parsed = Action.safeParse(parameters.action);
  if (!parsed.success) return { sentence: [{ text: parameters.fallback }], editable: [] };
  const action = parsed.data;
  const strong = (text: string): SentencePart => ({ text, strong: true });
  const text = (value: string): SentencePart => ({ text: value });
  switch (action.type) {
    case "transfer": {
      // Counted over the runs of the same agent key: a new payee for this agent is the signal,
      // and another key's payees are not this approval's viewers' business (an agent sees its own).
      const before = await db
        .selectFrom("run_steps")
        .innerJoin("runs", "runs.id", "run_steps.run_id")
        .select(sql<string>`count(*)::text`.as("n"))
        .where("run_steps.action", "=", "transfer")
        .where("run_steps.status", "=", "completed")
        .where("run_steps.run_id", "!=", parameters.runId)
        .where(sql<string>`lower(run_steps.input->>'to')`, "=", action.to.toLowerCase())
        .where(
          sql<boolean>`runs.api_key_id is not distinct from (select api_key_id from runs where id = ${parameters.runId})`,
        )
        .executeTakeFirst();
      const n = Number(before?.n ?? 0);
      return {
        sentence: [
          text("Send "),
          strong(humanAmount(action.amount, action.token)),
          text(` to ${shortAddress(action.to)}`),
          text(n === 0 ? " (new payee)" : ` (paid ${n} time${n === 1 ? "" : "s"} before)`),
        ],
        editable: [editable("amount", "Amount", action.token, action.amount)],
      };
    }
    case "swap": {
      const dex = getNetwork(getConfig().PAYGENT_NETWORK).dex?.name;
      const parts: SentencePart[] = [
        text("Swap "),
        strong(humanAmount(action.amountIn, action.tokenIn)),
      ];
      if (action.minAmountOut) {
        parts.push(
          text(" for at least "),
          strong(humanAmount(action.minAmountOut, action.tokenOut)),
        );
      } else parts.push(text(` for ${action.tokenOut}`));
      if (dex) parts.push(text(` on ${dex}`));
      parts.push(text(` (${formatBps(action.slippageBps)} slippage)`));
      const fields = [editable("amountIn", "Amount sold", action.tokenIn, action.amountIn)];
      if (action.minAmountOut) {
        fields.push(
          editable("minAmountOut", "Least received", action.tokenOut, action.minAmountOut),
        );
      }
      return { sentence: parts, editable: fields };
    }
    case "pay": {
      // A URL names its service however it is spelled, as when the payment was planned.
      const service =
        action.serviceId !== undefined
          ? await db
              .selectFrom("services")
              .select(["id", "name", "reputation"])
              .where("id", "=", action.serviceId)
              .executeTakeFirst()
          : await findServiceByNameOrUrl(db, action.url);
      const paid = service
        ? await db
            .selectFrom("payments")
            .select(sql<string>`count(*)::text`.as("n"))
            .where("service_id", "=", service.id)
            .where("status", "=", "settled")
            .executeTakeFirst()
        : undefined;
      const n = Number(paid?.n ?? 0);
      const payee = service?.name ?? action.serviceName ?? shortUrl(action.url);
      const context = service
        ? ` (reputation ${Number(service.reputation).toFixed(1)}, ${n} payment${n === 1 ? "" : "s"})`
        : " (not in the service registry)";
      return {
        sentence: [
          text("Pay "),
          strong(humanAmount(action.maxAmount, action.token)),
          text(` to ${payee}`),
          text(context),
        ],
        editable: [editable("maxAmount", "Most paid", action.token, action.maxAmount)],
      };
    }
    default:
      return { sentence: [text(parameters.fallback)], editable: [] };
  }
}

function editable(field: string, label: string, symbol: string, value: string): EditableAmount {
  const token = findToken(getConfig().PAYGENT_NETWORK, symbol);
  return { field, label, token: token?.symbol ?? symbol, decimals: token?.decimals ?? 0, value };
}
