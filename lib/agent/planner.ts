import { formatDecimal, formatUsd, parseUsd, USD_DECIMALS } from "./decimal.js";
import { PlanError } from "./errors.js";
import type { Budget, Command, Intent, PayIntent, SwapIntent, TokenAmount } from "./intent.js";
import type { Action, DiscoverFilter, Plan, PlannedAction } from "./plan.js";
import { findToken, STABLECOINS, type TokenInfo, type TokenList } from "./tokens.js";

type Awaitable<T> = T | Promise<T>;

/** A catalogue entry the planner can pay, subscribe to or choose between. */
export interface ServiceInfo {
  id: string;
  name: string;
  endpoint: string;
  category: string;
  price: TokenAmount;
  reputation: number;
  mcp: boolean;
}

/** Everything the planner needs from the outside world; the workflow passes real lookups. */
export interface PlannerContext {
  tokens: TokenList;
  findService(nameOrUrl: string): Awaitable<ServiceInfo | undefined>;
  discoverServices(filter: DiscoverFilter): Awaitable<ServiceInfo[]>;
  /** Decimal USD value of `amount` base units of `token`; undefined when no price is known. */
  priceUsd(token: string, amount: string): Awaitable<string | undefined>;
  /** Exact-in quote in base units. */
  quoteSwap(parameters: {
    tokenIn: string;
    tokenOut: string;
    amountIn: string;
  }): Awaitable<{ amountOut: string }>;
  /** Optional exact-out quote (router getAmountsIn); searched with quoteSwap when absent. */
  quoteSwapExactOut?(parameters: {
    tokenIn: string;
    tokenOut: string;
    amountOut: string;
  }): Awaitable<{ amountIn: string }>;
  /** Actions worth more than this many US dollars need approval. */
  approvalThresholdUsd: string;
  /** Session budget still available (base units), applied together with the command's budget. */
  budget?: TokenAmount;
  /** Action types the session may run; everything when absent. */
  allowedActions?: string[];
  defaultSlippageBps?: number;
  defaultDeadlineSeconds?: number;
}

/** Default swap slippage tolerance (0.5%). */
export const DEFAULT_SLIPPAGE_BPS = 50;
/** Default swap deadline (20 minutes). */
export const DEFAULT_DEADLINE_SECONDS = 1200;

interface Draft {
  action: Action;
  usd?: bigint;
  /** Token amount this action takes out of the wallet (absent for reads and swap-funded payments). */
  spend?: { token: string; amount: bigint };
  fundedBy?: Draft;
  reason?: string;
  requiresApproval?: boolean;
}

function tokenOf(ctx: PlannerContext, symbol: string): TokenInfo {
  const token = findToken(ctx.tokens, symbol);
  if (!token) throw new PlanError(`Unknown token ${symbol}`);
  return token;
}

function show(ctx: PlannerContext, amount: bigint | string, symbol: string): string {
  return `${formatDecimal(BigInt(amount), tokenOf(ctx, symbol).decimals)} ${symbol}`;
}

async function valueUsd(
  ctx: PlannerContext,
  symbol: string,
  amount: bigint,
): Promise<bigint | undefined> {
  const token = tokenOf(ctx, symbol);
  if (STABLECOINS.has(token.symbol.toUpperCase())) {
    return amount * 10n ** BigInt(USD_DECIMALS - token.decimals);
  }
  const price = await ctx.priceUsd(token.symbol, amount.toString());
  if (price === undefined) return undefined;
  try {
    return parseUsd(price);
  } catch (error) {
    throw new PlanError(`The price feed returned an invalid USD value for ${symbol}`, {
      cause: error,
    });
  }
}

async function quote(
  ctx: PlannerContext,
  tokenIn: string,
  tokenOut: string,
  amountIn: bigint,
): Promise<bigint> {
  try {
    const { amountOut } = await ctx.quoteSwap({ tokenIn, tokenOut, amountIn: amountIn.toString() });
    return BigInt(amountOut);
  } catch (error) {
    throw new PlanError(`No quote for ${tokenIn} → ${tokenOut}`, { cause: error });
  }
}

/** Smallest input whose quote covers `amountOut` (exact-out via the exact-in quoter). */
async function quoteAmountIn(
  ctx: PlannerContext,
  tokenIn: string,
  tokenOut: string,
  amountOut: bigint,
): Promise<bigint> {
  if (ctx.quoteSwapExactOut) {
    try {
      const { amountIn } = await ctx.quoteSwapExactOut({
        tokenIn,
        tokenOut,
        amountOut: amountOut.toString(),
      });
      return BigInt(amountIn);
    } catch (error) {
      throw new PlanError(`No quote for ${show(ctx, amountOut, tokenOut)} from ${tokenIn}`, {
        cause: error,
      });
    }
  }
  const unit = 10n ** BigInt(tokenOf(ctx, tokenIn).decimals);
  const probe = await quote(ctx, tokenIn, tokenOut, unit);
  if (probe === 0n) throw new PlanError(`No liquidity for ${tokenIn} → ${tokenOut}`);
  let low = 0n;
  let high = (amountOut * unit) / probe + 1n;
  // Grow until the quote covers the target (price impact makes the linear guess short).
  for (let i = 0; ; i++) {
    const out = await quote(ctx, tokenIn, tokenOut, high);
    if (out >= amountOut) break;
    if (i >= 40)
      throw new PlanError(`Not enough liquidity to buy ${show(ctx, amountOut, tokenOut)}`);
    low = high;
    high = out === 0n ? high * 2n : (high * amountOut * 101n) / (out * 100n) + 1n;
  }
  // Tighten to within 0.01% so the user does not overpay for the search.
  for (let i = 0; i < 32 && high - low > high / 10_000n + 1n; i++) {
    const middle = (low + high) / 2n;
    if ((await quote(ctx, tokenIn, tokenOut, middle)) >= amountOut) high = middle;
    else low = middle;
  }
  return high;
}

function bps(amount: bigint, basisPoints: number, roundUp: boolean): bigint {
  const scaled = amount * BigInt(basisPoints);
  return roundUp ? (scaled + 9_999n) / 10_000n : scaled / 10_000n;
}

async function planSwap(
  ctx: PlannerContext,
  step: SwapIntent,
  explanation: string[],
): Promise<Draft> {
  tokenOf(ctx, step.tokenIn);
  tokenOf(ctx, step.tokenOut);
  const slippageBps = step.slippageBps ?? ctx.defaultSlippageBps ?? DEFAULT_SLIPPAGE_BPS;
  const deadlineSeconds =
    step.deadlineSeconds ?? ctx.defaultDeadlineSeconds ?? DEFAULT_DEADLINE_SECONDS;
  if (step.amountIn) {
    const amountIn = BigInt(step.amountIn);
    const out = await quote(ctx, step.tokenIn, step.tokenOut, amountIn);
    if (out === 0n)
      throw new PlanError(`The quote for ${show(ctx, amountIn, step.tokenIn)} returns nothing`);
    const minAmountOut = out - bps(out, slippageBps, true);
    explanation.push(
      `Swap ${show(ctx, amountIn, step.tokenIn)} for about ${show(ctx, out, step.tokenOut)} (at least ${show(ctx, minAmountOut, step.tokenOut)} with ${slippageBps / 100}% slippage).`,
    );
    return {
      action: {
        type: "swap",
        tokenIn: step.tokenIn,
        tokenOut: step.tokenOut,
        amountIn: step.amountIn,
        minAmountOut: minAmountOut.toString(),
        quotedAmountOut: out.toString(),
        slippageBps,
        deadlineSeconds,
      },
      spend: { token: step.tokenIn, amount: amountIn },
    };
  }
  if (!step.amountOut) throw new PlanError("The swap has neither an input nor an output amount");
  const target = BigInt(step.amountOut);
  const needed = await quoteAmountIn(ctx, step.tokenIn, step.tokenOut, target);
  const amountIn = needed + bps(needed, slippageBps, true);
  const quoted = await quote(ctx, step.tokenIn, step.tokenOut, amountIn);
  explanation.push(
    `Buy ${show(ctx, target, step.tokenOut)}: planned as an exact-in swap of ${show(ctx, amountIn, step.tokenIn)} (quote ${show(ctx, needed, step.tokenIn)} plus ${slippageBps / 100}% slippage), requiring at least ${show(ctx, target, step.tokenOut)} out.`,
  );
  return {
    action: {
      type: "swap",
      tokenIn: step.tokenIn,
      tokenOut: step.tokenOut,
      amountIn: amountIn.toString(),
      minAmountOut: target.toString(),
      quotedAmountOut: quoted.toString(),
      slippageBps,
      deadlineSeconds,
    },
    spend: { token: step.tokenIn, amount: amountIn },
  };
}

async function lookupService(ctx: PlannerContext, nameOrUrl: string): Promise<ServiceInfo> {
  const service = await ctx.findService(nameOrUrl);
  if (!service) {
    throw new PlanError(`No service called "${nameOrUrl}" is registered`, {
      suggestions: [`Search first, e.g. "find ${nameOrUrl} services"`],
    });
  }
  return service;
}

interface DiscoveryState {
  candidates: ServiceInfo[];
  filter: DiscoverFilter;
}

/** Remaining room in each budget, for choosing a service that still fits. */
type Room = Array<{ token?: string; amount?: bigint; usd?: bigint }>;

async function fits(ctx: PlannerContext, room: Room, price: TokenAmount): Promise<boolean> {
  for (const limit of room) {
    if (limit.token !== undefined && limit.amount !== undefined && limit.token === price.token) {
      if (BigInt(price.amount) > limit.amount) return false;
    } else {
      const usd = await valueUsd(ctx, price.token, BigInt(price.amount));
      const limitUsd =
        limit.usd ??
        (limit.token ? await valueUsd(ctx, limit.token, limit.amount ?? 0n) : undefined);
      if (usd === undefined || limitUsd === undefined || usd > limitUsd) return false;
    }
  }
  return true;
}

async function chooseService(
  ctx: PlannerContext,
  discovery: DiscoveryState,
  step: PayIntent,
  room: Room,
  explanation: string[],
): Promise<ServiceInfo> {
  const cap = step.amount ?? step.maxAmount;
  const rejected: string[] = [];
  const eligible: Array<{ service: ServiceInfo; usd: bigint | undefined }> = [];
  for (const service of discovery.candidates) {
    if (step.token && service.price.token !== step.token) {
      rejected.push(`${service.name} (priced in ${service.price.token})`);
    } else if (cap && BigInt(service.price.amount) > BigInt(cap)) {
      rejected.push(
        `${service.name} (${show(ctx, service.price.amount, service.price.token)} is above the cap)`,
      );
    } else if (!(await fits(ctx, room, service.price))) {
      rejected.push(`${service.name} (over budget)`);
    } else {
      eligible.push({
        service,
        usd: await valueUsd(ctx, service.price.token, BigInt(service.price.amount)),
      });
    }
  }
  if (eligible.length === 0) {
    throw new PlanError(
      discovery.candidates.length === 0
        ? "The search found no services to pay"
        : "None of the services found fits the price limit and budget",
      { suggestions: rejected.length > 0 ? [`Rejected: ${rejected.join(", ")}`] : undefined },
    );
  }
  // Cheapest first (in USD when priced in different tokens), then the better reputation.
  eligible.sort((a, b) => {
    const priceA = a.usd ?? BigInt(a.service.price.amount);
    const priceB = b.usd ?? BigInt(b.service.price.amount);
    if (priceA !== priceB) return priceA < priceB ? -1 : 1;
    return b.service.reputation - a.service.reputation;
  });
  const chosen = eligible[0]!.service;
  explanation.push(
    `Chose ${chosen.name} at ${show(ctx, chosen.price.amount, chosen.price.token)} (reputation ${chosen.reputation}): the cheapest of ${eligible.length} affordable match${eligible.length === 1 ? "" : "es"}, higher reputation breaking ties${rejected.length > 0 ? `; skipped ${rejected.join(", ")}` : ""}.`,
  );
  return chosen;
}

async function planPay(
  ctx: PlannerContext,
  step: PayIntent,
  drafts: Draft[],
  discovery: DiscoveryState | undefined,
  room: Room,
  explanation: string[],
): Promise<Draft> {
  let service: ServiceInfo | undefined;
  let url = step.url;
  if (step.service) service = await lookupService(ctx, step.service);
  else if (step.url) service = await ctx.findService(step.url);
  else if (discovery) service = await chooseService(ctx, discovery, step, room, explanation);
  else {
    throw new PlanError("Which service should be paid?", {
      suggestions: [
        'Name it ("pay for the weather API") or search first ("find weather services then pay for the cheapest")',
      ],
    });
  }
  if (service) url ??= service.endpoint;
  const token = step.token ?? service?.price.token;
  const cap = step.amount ?? step.maxAmount ?? (service ? service.price.amount : undefined);
  if (!url || !token || !cap) {
    throw new PlanError(
      `The price of ${step.url ?? "this resource"} is unknown; say the most to pay`,
      {
        suggestions: [`e.g. "pay up to 0.5 USDC to ${step.url ?? "…"}"`],
      },
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
      ...(service ? { serviceId: service.id } : {}),
      token,
      maxAmount: cap,
    },
  };
  // Swap-then-pay: the most recent swap into this token funds the payment.
  const funding = [...drafts]
    .reverse()
    .find((d) => d.action.type === "swap" && d.action.tokenOut === token);
  if (funding && funding.action.type === "swap" && !drafts.some((d) => d.fundedBy === funding)) {
    const covered = BigInt(funding.action.minAmountOut ?? "0");
    if (covered < BigInt(cap)) {
      throw new PlanError(
        `The swap yields at least ${show(ctx, covered, token)}, less than the ${show(ctx, cap, token)} payment it must fund`,
        { suggestions: ["Swap a larger amount or lower the slippage"] },
      );
    }
    draft.fundedBy = funding;
    explanation.push(
      `Pay ${service?.name ?? url} up to ${show(ctx, cap, token)} from the swap's output.`,
    );
  } else {
    draft.spend = { token, amount: BigInt(cap) };
    explanation.push(`Pay ${service?.name ?? url} up to ${show(ctx, cap, token)}.`);
  }
  return draft;
}

function filterOf(step: Extract<Intent, { kind: "discover" }>): DiscoverFilter {
  const { kind: _kind, ...filter } = step;
  return filter;
}

function describeBudget(ctx: PlannerContext, budget: Budget): string {
  return "usd" in budget ? `$${budget.usd}` : show(ctx, budget.amount, budget.token);
}

async function roomOf(ctx: PlannerContext, budgets: Budget[], drafts: Draft[]): Promise<Room> {
  const room: Room = [];
  for (const budget of budgets) {
    if ("usd" in budget) {
      let spent = 0n;
      for (const draft of drafts)
        if (draft.spend)
          spent += (await valueUsd(ctx, draft.spend.token, draft.spend.amount)) ?? 0n;
      room.push({ usd: parseUsd(budget.usd) - spent });
    } else {
      const spent = drafts.reduce(
        (sum, d) => (d.spend?.token === budget.token ? sum + d.spend.amount : sum),
        0n,
      );
      room.push({ token: budget.token, amount: BigInt(budget.amount) - spent });
    }
  }
  return room;
}

async function checkBudget(ctx: PlannerContext, budget: Budget, drafts: Draft[]): Promise<string> {
  const spends = drafts.filter((d) => d.spend).map((d) => d.spend!);
  if ("amount" in budget && spends.every((s) => s.token === budget.token)) {
    const total = spends.reduce((sum, s) => sum + s.amount, 0n);
    if (total > BigInt(budget.amount)) {
      throw new PlanError(
        `The plan spends ${show(ctx, total, budget.token)}, more than the budget of ${describeBudget(ctx, budget)}`,
        { suggestions: ["Lower the amounts or raise the budget"] },
      );
    }
    return `Spends ${show(ctx, total, budget.token)} of the ${describeBudget(ctx, budget)} budget.`;
  }
  const limit =
    "usd" in budget
      ? parseUsd(budget.usd)
      : await valueUsd(ctx, budget.token, BigInt(budget.amount));
  if (limit === undefined)
    throw new PlanError(
      `No USD price for ${"token" in budget ? budget.token : ""} to check the budget`,
    );
  let total = 0n;
  for (const spend of spends) {
    const usd = await valueUsd(ctx, spend.token, spend.amount);
    if (usd === undefined) {
      throw new PlanError(
        `No USD price for ${spend.token}, so the plan cannot be checked against the budget`,
      );
    }
    total += usd;
  }
  if (total > limit) {
    throw new PlanError(
      `The plan spends about $${formatUsd(total, 2)}, more than the budget of ${describeBudget(ctx, budget)}`,
      { suggestions: ["Lower the amounts or raise the budget"] },
    );
  }
  return `Spends about $${formatUsd(total, 2)} of the ${describeBudget(ctx, budget)} budget.`;
}

/**
 * Turns a parsed command into executable actions: resolves services, quotes swaps, binds
 * swap outputs and discovered services to payments, adds a balance check before spending,
 * enforces budgets (refusing with PlanError before anything runs) and flags approvals.
 */
export async function planCommand(command: Command, ctx: PlannerContext): Promise<Plan> {
  const explanation: string[] = [];
  const drafts: Draft[] = [];
  const budgets = [command.budget, ctx.budget].filter((b): b is Budget => b !== undefined);
  let discovery: DiscoveryState | undefined;
  const allowed = ctx.allowedActions ? new Set(ctx.allowedActions) : undefined;

  for (const step of command.steps) {
    let draft: Draft;
    switch (step.kind) {
      case "balance":
        draft = {
          action: {
            type: "balance",
            tokens: step.tokens,
            ...(step.address ? { address: step.address } : {}),
          },
        };
        break;
      case "transfer": {
        tokenOf(ctx, step.token);
        if (step.to.type === "address") {
          draft = {
            action: {
              type: "transfer",
              token: step.token,
              amount: step.amount,
              to: step.to.address,
            },
            spend: { token: step.token, amount: BigInt(step.amount) },
          };
          explanation.push(`Transfer ${show(ctx, step.amount, step.token)} to ${step.to.address}.`);
        } else {
          // A service or URL is paid through x402 with the amount as the cap.
          const payStep: PayIntent = {
            kind: "pay",
            ...(step.to.type === "service" ? { service: step.to.name } : { url: step.to.url }),
            token: step.token,
            maxAmount: step.amount,
          };
          draft = await planPay(
            ctx,
            payStep,
            drafts,
            undefined,
            await roomOf(ctx, budgets, drafts),
            explanation,
          );
        }
        break;
      }
      case "pay":
        draft = await planPay(
          ctx,
          step,
          drafts,
          discovery,
          await roomOf(ctx, budgets, drafts),
          explanation,
        );
        if (!step.service && !step.url) discovery = undefined;
        break;
      case "swap":
        draft = await planSwap(ctx, step, explanation);
        break;
      case "discover": {
        const filter = filterOf(step);
        const candidates = await ctx.discoverServices(filter);
        discovery = { candidates, filter };
        draft = { action: { type: "discover", filter } };
        explanation.push(
          `Search the catalogue: ${candidates.length} service${candidates.length === 1 ? "" : "s"} match.`,
        );
        break;
      }
      case "subscribe": {
        const service = await lookupService(ctx, step.service);
        draft = {
          action: { type: "subscribe", serviceId: service.id, period: step.period },
          usd: await valueUsd(ctx, service.price.token, BigInt(service.price.amount)),
          reason: `${show(ctx, service.price.amount, service.price.token)} per ${step.period.replace("ly", "").replace("dai", "day")}`,
        };
        explanation.push(
          `Subscribe to ${service.name} ${step.period} at ${show(ctx, service.price.amount, service.price.token)}.`,
        );
        break;
      }
      case "unsubscribe": {
        const service = await lookupService(ctx, step.service);
        draft = { action: { type: "unsubscribe", serviceId: service.id } };
        explanation.push(`Cancel the subscription to ${service.name}.`);
        break;
      }
    }
    if (allowed && !allowed.has(draft.action.type)) {
      throw new PlanError(`This session may not run ${draft.action.type} actions`, {
        suggestions: [`Allowed: ${[...allowed].join(", ") || "none"}`],
      });
    }
    drafts.push(draft);
  }

  // Balance check before the first spend, unless the user already asked for one earlier.
  const firstSpend = drafts.findIndex((d) => d.spend !== undefined);
  if (firstSpend >= 0 && (!allowed || allowed.has("balance"))) {
    const spent = [...new Set(drafts.filter((d) => d.spend).map((d) => d.spend!.token))];
    const covered = drafts
      .slice(0, firstSpend)
      .some(
        (d) =>
          d.action.type === "balance" &&
          !d.action.address &&
          (d.action.tokens.length === 0 ||
            spent.every((t) => (d.action as { tokens: string[] }).tokens.includes(t))),
      );
    if (!covered) {
      drafts.splice(firstSpend, 0, {
        action: { type: "balance", tokens: spent },
        reason: "Checks the wallet holds enough before anything is spent",
      });
    }
  }

  for (const budget of budgets) explanation.push(await checkBudget(ctx, budget, drafts));

  const threshold = parseUsd(ctx.approvalThresholdUsd);
  const actions: PlannedAction[] = [];
  for (const [index, draft] of drafts.entries()) {
    const { action } = draft;
    let usd = draft.usd;
    let valued: { token: string; amount: bigint } | undefined = draft.spend;
    if (action.type === "pay") valued = { token: action.token, amount: BigInt(action.maxAmount) };
    if (valued && usd === undefined) usd = await valueUsd(ctx, valued.token, valued.amount);
    const spends = valued !== undefined || action.type === "subscribe";
    let requiresApproval = false;
    let reason = draft.reason;
    if (spends && usd === undefined) {
      requiresApproval = true;
      reason = `No USD price for ${valued?.token ?? "this service"}, so it needs approval`;
    } else if (spends && usd !== undefined && usd > threshold) {
      requiresApproval = true;
      reason = `Worth about $${formatUsd(usd, 2)}, above the $${ctx.approvalThresholdUsd} approval threshold`;
    }
    const planned: PlannedAction = {
      index,
      action:
        draft.fundedBy && action.type === "pay"
          ? { ...action, amountFromStep: drafts.indexOf(draft.fundedBy) }
          : action,
      requiresApproval,
      ...(usd !== undefined && spends ? { usdValue: formatUsd(usd) } : {}),
      ...(reason ? { reason } : {}),
    };
    actions.push(planned);
  }
  const budget = command.budget ?? ctx.budget;
  return { actions, ...(budget ? { budget } : {}), explanation };
}
