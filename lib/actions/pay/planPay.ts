import { PlanError } from "../../agent/errors.js";
import type { PayIntent } from "../../agent/intent.js";
import type { ServiceInfo } from "../../agent/planner.js";
import { roomOf } from "../../agent/planning/budgetRoom.js";
import { lookupService } from "../../agent/planning/lookupService.js";
import { show, tokenOf } from "../../agent/planning/tokens.js";
import type { Draft, PlanState } from "../types.js";
import { chooseService } from "./chooseService.js";

/**
 * Resolves who is paid (a named service, a URL, or the best match of the preceding search) and the
 * cap, and binds the payment to the latest swap into its token, so the swap's output funds it.
 */
export async function planPay(intent: PayIntent, state: PlanState): Promise<Draft> {
  const ctx = state.context;
  let service: ServiceInfo | undefined;
  let url = intent.url;
  if (intent.service) service = await lookupService(ctx, intent.service);
  else if (intent.url) service = await ctx.findService(intent.url);
  else if (state.discovery) {
    const room = await roomOf(ctx, state.budgets, state.drafts);
    service = await chooseService(state, state.discovery, intent, room);
    // The search is spent on this payment; a later "pay the cheapest" needs its own search.
    state.discovery = undefined;
  } else {
    throw new PlanError("Which service should be paid?", {
      suggestions: [
        'Name it ("pay for the weather API") or search first ("find weather services then pay for the cheapest")',
      ],
    });
  }
  if (service) url ??= service.endpoint;
  const token = intent.token ?? service?.price.token;
  const cap = intent.amount ?? intent.maxAmount ?? (service ? service.price.amount : undefined);
  if (!url || !token || !cap) {
    throw new PlanError(
      `The price of ${intent.url ?? "this resource"} is unknown; say the most to pay`,
      { suggestions: [`e.g. "pay up to 0.5 USDC to ${intent.url ?? "…"}"`] },
    );
  }
  tokenOf(ctx, token);
  if (service && service.price.token !== token) {
    throw new PlanError(`${service.name} is priced in ${service.price.token}, not ${token}`);
  }
  if (service && BigInt(service.price.amount) > BigInt(cap)) {
    throw new PlanError(
      `${service.name} costs ${show(ctx, service.price.amount, token)}, more than the ${show(ctx, cap, token)} allowed`,
    );
  }
  const draft: Draft = {
    action: {
      type: "pay",
      url,
      ...(service ? { serviceId: service.id, serviceName: service.name } : {}),
      token,
      maxAmount: cap,
    },
    value: { token, amount: BigInt(cap) },
  };
  const payee = service?.name ?? url;
  // Swap-then-pay: the most recent draft that brings this token in funds the payment, once.
  const funding = [...state.drafts].reverse().find((d) => d.produces?.token === token);
  if (funding && !state.drafts.some((d) => d.fundedBy === funding)) {
    const covered = funding.produces!.amount;
    if (covered < BigInt(cap)) {
      throw new PlanError(
        `The swap yields at least ${show(ctx, covered, token)}, less than the ${show(ctx, cap, token)} payment it must fund`,
        { suggestions: ["Swap a larger amount or lower the slippage"] },
      );
    }
    draft.fundedBy = funding;
    state.explanation.push(`Pay ${payee} up to ${show(ctx, cap, token)} from the swap's output.`);
  } else {
    draft.spend = { token, amount: BigInt(cap) };
    state.explanation.push(`Pay ${payee} up to ${show(ctx, cap, token)}.`);
  }
  return draft;
}
