import { PlanError } from "../../agent/errors.js";
import type { PayIntent } from "../../agent/intent.js";
import type { ServiceInfo } from "../../agent/planner.js";
import { roomOf } from "../../agent/planning/budgetRoom.js";
import { lookupService } from "../../agent/planning/lookupService.js";
import { show, tokenOf } from "../../agent/planning/tokens.js";
import { paidAs, shortUrl } from "../format.js";
import type { Draft, PlanState } from "../types.js";
import { chooseService } from "./chooseService.js";
import { paysServiceEndpoint } from "./paysServiceEndpoint.js";

/**
 * Resolves who is paid (a named service, a URL, or the best match of the preceding search) and the
 * cap (for a URL outside the catalogue with no amount, the price it asks when probed unpaid), and binds the payment to the latest swap into its token, so the swap's output funds it.
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
  if (service && url && !paysServiceEndpoint(url, service.endpoint)) {
    throw new PlanError(`${shortUrl(url)} is not the endpoint of ${service.name}`, {
      suggestions: [`Name the service or give its URL (${service.endpoint}), not both apart`],
    });
  }
  if (service) url ??= service.endpoint;
  let token = intent.token ?? service?.price.token;
  let cap = intent.amount ?? intent.maxAmount ?? (service ? service.price.amount : undefined);
  // A URL the registry does not know, with no amount: ask the resource its price, unpaid.
  let probed = false;
  if (!service && intent.url && intent.probe && !cap && ctx.probePrice) {
    const price = await ctx.probePrice(intent.url);
    if (intent.token && intent.token !== price.token) {
      throw new PlanError(
        `${shortUrl(intent.url)} asks to be paid in ${price.token}, not ${intent.token}`,
      );
    }
    token = price.token;
    cap = price.amount;
    probed = true;
    state.explanation.push(
      `${shortUrl(intent.url)} is not in the catalogue; probed unpaid, it asks ${show(ctx, cap, token)}.`,
    );
  }
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
      ...(intent.usd ? { usd: intent.usd } : {}),
      ...(probed ? { probed: true as const } : {}),
      ...(intent.tool ? { tool: intent.tool } : {}),
    },
    value: { token, amount: BigInt(cap) },
  };
  const payee = service?.name ?? url;
  // "$10": say which stablecoin pays it (the cap is that many units of it).
  const dollars = intent.usd ? ` (${paidAs(intent.usd, show(ctx, cap, token))})` : "";
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
    state.explanation.push(
      `Pay ${payee} up to ${show(ctx, cap, token)}${dollars} from the swap's output.`,
    );
  } else {
    draft.spend = { token, amount: BigInt(cap) };
    state.explanation.push(`Pay ${payee} up to ${show(ctx, cap, token)}${dollars}.`);
  }
  return draft;
}
