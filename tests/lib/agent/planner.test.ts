import { describe, expect, test } from "vitest";
import { PlanError } from "../../../lib/agent/errors.js";
import { parseCommand } from "../../../lib/agent/grammar/parseCommand.js";
import type { DiscoverFilter } from "../../../lib/agent/plan.js";
import { type PlannerContext, planCommand, type ServiceInfo } from "../../../lib/agent/planner.js";
import { ADDRESS, tokens } from "./fixtures.js";

/** Uniswap V2 getAmountOut (0.3% fee) over fixed reserves: the same math the VVS router runs. */
function amountOut(amountIn: bigint, reserveIn: bigint, reserveOut: bigint): bigint {
  const withFee = amountIn * 997n;
  return (withFee * reserveOut) / (reserveIn * 1000n + withFee);
}

const E18 = 10n ** 18n;
const E6 = 10n ** 6n;
// 1,000,000 CRO : 100,000 USDC → ~0.10 USDC per CRO.
const reserves: Record<string, bigint> = { CRO: 1_000_000n * E18, USDC: 100_000n * E6 };

const catalogue: ServiceInfo[] = [
  {
    id: "svc_md",
    name: "market data API",
    endpoint: "https://md.example/quote",
    category: "market-data",
    price: { amount: "100000", token: "USDC" },
    reputation: 4.2,
    mcp: false,
  },
  {
    id: "svc_md2",
    name: "Cheap Quotes",
    endpoint: "https://cq.example/q",
    category: "market-data",
    price: { amount: "50000", token: "USDC" },
    reputation: 3.1,
    mcp: true,
  },
  {
    id: "svc_md3",
    name: "Budget Ticks",
    endpoint: "https://bt.example/t",
    category: "market-data",
    price: { amount: "50000", token: "USDC" },
    reputation: 4.8,
    mcp: false,
  },
  {
    id: "svc_pro",
    name: "Pro Feed",
    endpoint: "https://pro.example/f",
    category: "market-data",
    price: { amount: "2000000", token: "USDC" },
    reputation: 5,
    mcp: true,
  },
  {
    id: "svc_wx",
    name: "weather API",
    endpoint: "https://wx.example/now",
    category: "weather",
    price: { amount: "25000000", token: "USDC" },
    reputation: 4,
    mcp: false,
  },
];

function context(overrides: Partial<PlannerContext> = {}): PlannerContext & { quotes: number } {
  const ctx = {
    quotes: 0,
    tokens,
    findService: (nameOrUrl: string) =>
      catalogue.find(
        (s) => s.name.toLowerCase() === nameOrUrl.toLowerCase() || s.endpoint === nameOrUrl,
      ),
    discoverServices: (filter: DiscoverFilter) =>
      catalogue.filter(
        (s) =>
          (!filter.query ||
            s.category.replace("-", " ").includes(filter.query) ||
            s.name.toLowerCase().includes(filter.query)) &&
          (!filter.maxPrice ||
            (s.price.token === filter.maxPrice.token &&
              BigInt(s.price.amount) <= BigInt(filter.maxPrice.amount))) &&
          (filter.minReputation === undefined || s.reputation >= filter.minReputation) &&
          (!filter.mcp || s.mcp),
      ),
    priceUsd: (token: string, amount: string) =>
      token === "CRO" || token === "WCRO"
        ? `${BigInt(amount) / 10n ** 17n / 100n}.${((BigInt(amount) / 10n ** 17n) % 100n).toString().padStart(2, "0")}`
        : undefined,
    quoteSwap({
      tokenIn,
      tokenOut,
      amountIn,
    }: {
      tokenIn: string;
      tokenOut: string;
      amountIn: string;
    }) {
      ctx.quotes++;
      return {
        amountOut: amountOut(BigInt(amountIn), reserves[tokenIn]!, reserves[tokenOut]!).toString(),
      };
    },
    approvalThresholdUsd: "10",
    ...overrides,
  };
  return ctx;
}

const plan = (text: string, ctx: PlannerContext = context()) =>
  planCommand(parseCommand(text, { tokens }), ctx);

describe("planCommand", () => {
  test("behavior: swap-then-pay — balance check, quoted swap, payment funded by the swap", async () => {
    const result = await plan("swap 10 CRO for USDC then pay 0.10 USDC to the market data API");
    const out = amountOut(10n * E18, reserves.CRO!, reserves.USDC!);
    const min = out - (out * 50n + 9_999n) / 10_000n;
    expect(result.actions).toEqual([
      {
        index: 0,
        action: { type: "balance", tokens: ["CRO"] },
        requiresApproval: false,
        reason: "Checks the wallet holds enough before anything is spent",
      },
      {
        index: 1,
        action: {
          type: "swap",
          tokenIn: "CRO",
          tokenOut: "USDC",
          amountIn: (10n * E18).toString(),
          minAmountOut: min.toString(),
          quotedAmountOut: out.toString(),
          slippageBps: 50,
          deadlineSeconds: 1200,
        },
        requiresApproval: false,
        usdValue: "1",
      },
      {
        index: 2,
        action: {
          type: "pay",
          url: "https://md.example/quote",
          serviceId: "svc_md",
          serviceName: "market data API",
          token: "USDC",
          maxAmount: "100000",
          amountFromStep: 1,
        },
        requiresApproval: false,
        usdValue: "0.1",
      },
    ]);
    expect(result.explanation.join("\n")).toContain("from the swap's output");
  });

  test("error: a pay step naming a catalogue service and another URL is refused (the service id would carry the URL past a payee rule)", async () => {
    const payBoth = (url: string) =>
      planCommand(
        { steps: [{ kind: "pay", service: "Pro Feed", url, amount: "40000000", token: "USDC" }] },
        context(),
      );
    await expect(payBoth("https://evil.example/steal")).rejects.toThrow(
      /evil\.example\/steal is not the endpoint of Pro Feed/,
    );
    // The service's own endpoint, spelled another way, is the same payee.
    const same = await payBoth("HTTPS://PRO.example//f/");
    expect(same.actions.at(-1)?.action).toMatchObject({ type: "pay", serviceId: "svc_pro" });
  });

  test("error: the swap's minimum output does not cover the payment", async () => {
    await expect(
      plan("swap 1 CRO for USDC then pay 0.10 USDC to the market data API"),
    ).rejects.toThrow(
      /The swap yields at least 0\.0\d+ USDC, less than the 0\.1 USDC payment it must fund/,
    );
  });

  test("behavior: discover-then-pay picks the cheapest match, reputation breaking the tie, and says why", async () => {
    const result = await plan(
      "find market data services under 1 USDC then pay for the cheapest one",
    );
    expect(result.actions.map((a) => a.action.type)).toEqual(["discover", "balance", "pay"]);
    expect(result.actions[2]!.action).toMatchObject({
      serviceId: "svc_md3",
      maxAmount: "50000",
      token: "USDC",
    });
    expect(
      result.explanation.some((l) =>
        l.startsWith("Chose Budget Ticks at 0.05 USDC (reputation 4.8)"),
      ),
    ).toBe(true);
  });

  test("behavior: discover-then-pay honours the budget when choosing", async () => {
    const result = await plan(
      "list mcp market data services then pay for it, with a budget of 0.06 USDC",
    );
    expect(result.actions.at(-1)!.action).toMatchObject({ serviceId: "svc_md2" });
    expect(result.explanation.join(" ")).toContain("skipped Pro Feed (over budget)");
  });

  test("error: nothing found fits", async () => {
    await expect(
      plan("find market data services then pay for it with a budget of 0.01 USDC"),
    ).rejects.toThrow("None of the services found fits the price limit and budget");
  });

  test("error: budget-constrained plans refuse before exceeding (token budget)", async () => {
    await expect(
      plan(`send 5 USDC to ${ADDRESS} then send 1 USDC to ${ADDRESS} with a budget of 5.5 USDC`),
    ).rejects.toThrow("The plan spends 6 USDC, more than the budget of 5.5 USDC");
  });

  test("behavior: a USD budget values CRO through priceUsd", async () => {
    const ok = await plan("swap 10 CRO for USDC, spend at most $2");
    expect(ok.explanation.at(-1)).toBe("Spends about $1 of the $2 budget.");
    await expect(plan("swap 30 CRO for USDC, spend at most $2")).rejects.toThrow(
      "The plan spends about $3, more than the budget of $2",
    );
  });

  test("behavior: a budget held in CRO is valued on the limit side of the price, a spend on the spend side", async () => {
    // A held pricer (lib/policy chainPricer) answers a budget's size at the window's low and a
    // spend at its high; here CRO is $1 on the spend side and $0.50 on the limit side.
    const sides: string[] = [];
    const priced = context({
      budget: { amount: (4n * 10n ** 17n).toString(), token: "CRO" },
      priceUsd: (token: string, amount: string, side?: string) => {
        sides.push(`${token}:${side ?? "spend"}`);
        const cents = BigInt(amount) / 10n ** 16n / (side === "limit" ? 2n : 1n);
        return `${cents / 100n}.${(cents % 100n).toString().padStart(2, "0")}`;
      },
    });
    // 0.4 CRO of budget counts as $0.20 (low): 0.3 USDC is over it. At the high ($0.40) it would fit.
    await expect(plan(`send 0.3 USDC to ${ADDRESS}`, priced)).rejects.toThrow(
      "The plan spends about $0.3, more than the budget of 0.4 CRO",
    );
    expect(sides).toContain("CRO:limit");
  });

  test("error: a swap whose pool the chain says is pushed is refused at planning, not put to a person", async () => {
    const asked: unknown[] = [];
    const pushed = context({
      checkSwapPrice: (parameters) => {
        asked.push(parameters);
        return "Swap of CRO for USDC refused: the pool pays 75% less than its average";
      },
    });
    const refused = await plan("swap 10 CRO for USDC", pushed).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(PlanError);
    expect(refused).toMatchObject({ kind: "refused" });
    expect(String((refused as Error).message)).toContain("75% less than its average");
    expect(asked).toEqual([{ tokenIn: "CRO", tokenOut: "USDC", amountIn: (10n * E18).toString() }]);
    // A pool at its average plans as before.
    const calm = await plan("swap 10 CRO for USDC", context({ checkSwapPrice: () => undefined }));
    expect(calm.actions.map((a) => a.action.type)).toEqual(["balance", "swap"]);
  });

  test("error: a budget cannot be checked without a price", async () => {
    await expect(plan(`send 100 VVS to ${ADDRESS}, spend at most $2`)).rejects.toThrow(
      "No USD price for VVS",
    );
  });

  test("behavior: the session budget from the context applies too", async () => {
    await expect(
      plan(`send 2 USDC to ${ADDRESS}`, context({ budget: { amount: "1000000", token: "USDC" } })),
    ).rejects.toThrow(PlanError);
  });

  test("behavior: approval above the threshold (stablecoin at $1, CRO via priceUsd, unknown price)", async () => {
    const result = await plan(
      `send 12 USDC to ${ADDRESS}; send 50 CRO to ${ADDRESS}; send 200 CRO to ${ADDRESS}; send 1 VVS to ${ADDRESS}`,
    );
    const flags = result.actions.map((a) => [a.action.type, a.requiresApproval, a.usdValue]);
    expect(flags).toEqual([
      ["balance", false, undefined],
      ["transfer", true, "12"],
      ["transfer", false, "5"],
      ["transfer", true, "20"],
      ["transfer", true, undefined],
    ]);
    expect(result.actions[1]!.reason).toBe("Worth about $12, above the $10 approval threshold");
    expect(result.actions[4]!.reason).toBe("No USD price for VVS, so it needs approval");
  });

  test("behavior: 'buy 100 USDC with CRO' becomes exact-in with a quoted amountIn plus slippage", async () => {
    const ctx = context();
    const result = await plan("buy 100 USDC with CRO with 1% slippage", ctx);
    const swap = result.actions[1]!.action;
    if (swap.type !== "swap") throw new Error("expected a swap");
    const target = 100n * E6;
    expect(swap.minAmountOut).toBe(target.toString());
    expect(swap.slippageBps).toBe(100);
    // The exact V2 getAmountIn for the target, then +1% (rounded up) — the search lands within 0.01%.
    const exactIn = (reserves.CRO! * target * 1000n) / ((reserves.USDC! - target) * 997n) + 1n;
    const needed = (BigInt(swap.amountIn) * 10_000n) / 10_100n;
    expect(needed >= exactIn - 1n).toBe(true);
    expect(needed - exactIn <= exactIn / 10_000n + 2n).toBe(true);
    expect(BigInt(swap.quotedAmountOut!) >= target).toBe(true);
    expect(ctx.quotes).toBeLessThan(60);
  });

  test("behavior: an explicit balance step earlier suppresses the automatic one", async () => {
    const result = await plan(`what's my balance then send 1 USDC to ${ADDRESS}`);
    expect(result.actions.map((a) => a.action.type)).toEqual(["balance", "transfer"]);
  });

  test("behavior: subscribe and unsubscribe resolve the service id; approval follows the price", async () => {
    const result = await plan(
      "subscribe to the weather API weekly then unsubscribe from market data API",
    );
    expect(result.actions).toEqual([
      {
        index: 0,
        action: {
          type: "subscribe",
          serviceId: "svc_wx",
          serviceName: "weather API",
          period: "weekly",
        },
        requiresApproval: true,
        usdValue: "25",
        reason: "Worth about $25, above the $10 approval threshold",
      },
      {
        index: 1,
        action: { type: "unsubscribe", serviceId: "svc_md", serviceName: "market data API" },
        requiresApproval: false,
      },
    ]);
  });

  test("error: unknown service", async () => {
    await expect(plan("pay for the horoscope API")).rejects.toThrow(
      'No service called "horoscope API" is registered',
    );
  });

  test("error: a payment cap below the service price", async () => {
    await expect(plan("pay for the weather API up to 1 USDC")).rejects.toThrow(
      "weather API costs 25 USDC, more than the 1 USDC allowed",
    );
  });

  test("error: an unknown URL without an amount", async () => {
    await expect(plan("pay https://unknown.example/x")).rejects.toThrow("say the most to pay");
  });

  test("behavior: a transfer to a service name is paid over x402 with the amount as cap", async () => {
    const result = await plan("send 0.2 USDC to the market data API");
    expect(result.actions[1]!.action).toEqual({
      type: "pay",
      url: "https://md.example/quote",
      serviceId: "svc_md",
      serviceName: "market data API",
      token: "USDC",
      maxAmount: "200000",
    });
  });

  test("error: actions the session does not allow", async () => {
    await expect(
      plan("swap 1 CRO for USDC", context({ allowedActions: ["pay", "balance"] })),
    ).rejects.toThrow("This session may not run swap actions");
  });

  test("behavior: no balance read before the spend when the key's policy does not allow balance", async () => {
    const result = await plan(
      "swap 10 CRO for USDC then pay 0.10 USDC to the market data API",
      context({ policyAllowsBalance: false }),
    );
    expect(result.actions.map((planned) => planned.action.type)).toEqual(["swap", "pay"]);
    expect(result.actions.map((planned) => planned.index)).toEqual([0, 1]);
  });

  test("error: pay with nothing to bind to", async () => {
    await expect(plan("pay for it")).rejects.toThrow("Which service should be paid?");
  });
});

describe("planCommand: whole balances, dollars and probed prices (issue 19)", () => {
  // 5000 CRO held, 0.5 CRO kept for gas; 120 USDC held (no reserve for an ERC-20).
  const wholeBalances: Record<string, { balance: bigint; reserve: bigint }> = {
    CRO: { balance: 5000n * E18, reserve: E18 / 2n },
    USDC: { balance: 120n * E6, reserve: 0n },
  };
  const withWallet = (overrides: Partial<PlannerContext> = {}) =>
    context({
      readWholeBalance(token: string) {
        const held = wholeBalances[token]!;
        return { token, ...held, amount: held.balance - held.reserve };
      },
      probePrice(url: string) {
        if (url === "https://probe.example/weather") return { amount: "30000", token: "USDC" };
        if (url === "https://probe.example/pricey") return { amount: "150000000", token: "USDC" };
        throw new Error(`unexpected probe of ${url}`);
      },
      ...overrides,
    });

  test("behavior: 'send all my CRO' sends the balance minus the gas reserve, always with approval", async () => {
    const result = await plan(`send all my CRO to ${ADDRESS}`, withWallet());
    const transfer = result.actions.find((a) => a.action.type === "transfer")!;
    expect(transfer.action).toEqual({
      type: "transfer",
      token: "CRO",
      amount: (4999n * E18 + E18 / 2n).toString(),
      to: ADDRESS,
      all: true,
    });
    expect(transfer.requiresApproval).toBe(true);
    expect(transfer.reason).toBe(
      "Sends all your CRO (4999.5 CRO when planned, keeping 0.5 CRO for gas); a whole balance always needs approval",
    );
    expect(result.explanation.join("\n")).toContain(
      `Transfer all your CRO to ${ADDRESS}: 4999.5 CRO now, keeping 0.5 CRO for gas`,
    );
  });

  test("behavior: 'all my USDC' is the whole ERC-20 balance and needs approval even when small", async () => {
    const result = await plan(
      `send all my USDC to ${ADDRESS}`,
      withWallet({ approvalThresholdUsd: "100000" }),
    );
    const transfer = result.actions.find((a) => a.action.type === "transfer")!;
    expect(transfer.action).toMatchObject({ token: "USDC", amount: "120000000", all: true });
    expect(transfer.requiresApproval).toBe(true);
    expect(transfer.reason).toContain("Sends all your USDC (120 USDC when planned)");
  });

  test("behavior: 'swap all my CRO for USDC' quotes the whole balance, marked all and approved", async () => {
    const result = await plan("swap all my CRO for USDC", withWallet());
    const swap = result.actions.find((a) => a.action.type === "swap")!;
    const amountIn = 4999n * E18 + E18 / 2n;
    const out = amountOut(amountIn, reserves.CRO!, reserves.USDC!);
    expect(swap.action).toMatchObject({
      type: "swap",
      tokenIn: "CRO",
      tokenOut: "USDC",
      amountIn: amountIn.toString(),
      quotedAmountOut: out.toString(),
      all: true,
    });
    expect(swap.requiresApproval).toBe(true);
    expect(swap.reason).toContain("Swaps all your CRO (4999.5 CRO when planned");
  });

  test("error: a whole balance cannot be planned without a way to read it", async () => {
    await expect(plan(`send all my CRO to ${ADDRESS}`)).rejects.toThrow(
      "Cannot read the CRO balance to send all of it",
    );
  });

  test("error: 'send all' beyond the command budget is refused at planning", async () => {
    await expect(
      plan(`send all my USDC to ${ADDRESS} with a budget of 100 USDC`, withWallet()),
    ).rejects.toThrow("more than the budget of 100 USDC");
  });

  test("behavior: dollars say which stablecoin pays them", async () => {
    const result = await plan(`send $10 to ${ADDRESS}`, withWallet());
    expect(result.actions.at(-1)!.action).toEqual({
      type: "transfer",
      token: "USDC",
      amount: "10000000",
      to: ADDRESS,
      usd: "10",
    });
    expect(result.explanation).toContain(`Transfer 10 USDC to ${ADDRESS} ($10 paid as 10 USDC).`);
    const paid = await plan("pay $0.10 to the market data API", withWallet());
    expect(paid.actions.at(-1)!.action).toMatchObject({ maxAmount: "100000", usd: "0.1" });
    expect(paid.explanation).toContain(
      "Pay market data API up to 0.1 USDC ($0.10 paid as 0.1 USDC).",
    );
  });

  test("behavior: a URL outside the catalogue with no amount is probed and capped at its price", async () => {
    const result = await plan("pay https://probe.example/weather", withWallet());
    const pay = result.actions.at(-1)!;
    expect(pay.action).toEqual({
      type: "pay",
      url: "https://probe.example/weather",
      token: "USDC",
      maxAmount: "30000",
      probed: true,
    });
    // No USD price for USDC in this fixture → approval; with one, the threshold decides (below).
    expect(result.explanation[0]).toBe(
      "probe.example/weather is not in the catalogue; probed unpaid, it asks 0.03 USDC.",
    );
  });

  test("behavior: a probed price above the approval threshold needs approval; below it does not", async () => {
    const usdc = (token: string, amount: string) =>
      token === "USDC" ? (Number(BigInt(amount)) / 1e6).toString() : undefined;
    const cheap = await plan(
      "pay https://probe.example/weather",
      withWallet({ priceUsd: usdc, approvalThresholdUsd: "1" }),
    );
    expect(cheap.actions.at(-1)!.requiresApproval).toBe(false);
    const pricey = await plan(
      "pay https://probe.example/pricey",
      withWallet({ priceUsd: usdc, approvalThresholdUsd: "1" }),
    );
    expect(pricey.actions.at(-1)!).toMatchObject({
      requiresApproval: true,
      action: { maxAmount: "150000000", probed: true },
    });
  });

  test("behavior: a registered URL keeps the catalogue price (no probe)", async () => {
    const result = await plan("pay https://md.example/quote", withWallet());
    expect(result.actions.at(-1)!.action).toMatchObject({
      serviceId: "svc_md",
      maxAmount: "100000",
    });
    expect(result.actions.at(-1)!.action).not.toHaveProperty("probed");
  });
});
