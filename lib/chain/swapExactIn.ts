import type { Kysely } from "kysely";
import {
  type Address,
  encodeFunctionData,
  erc20Abi,
  parseEventLogs,
  type TransactionReceipt,
} from "viem";
import type { Database } from "../db/database.js";
import { routerAbi, wrappedNativeAbi } from "./abis.js";
import { checkSwapPrice } from "./averages/checkSwapPrice.js";
import type { ChainContext } from "./clients.js";
import {
  InsufficientBalanceError,
  PriceGapError,
  SlippageExceededError,
  StepConflictError,
  TransactionWouldRevertError,
} from "./errors.js";
import { quoteSwap, requireDex } from "./quoteSwap.js";
import { readStepApproval } from "./readStepApproval.js";
import { requireToken } from "./registry.js";
import { type SendApprovalReturnType, sendApproval } from "./sendApproval.js";
import {
  type ChainTransactionRow,
  findStepTransaction,
  markRow,
  sendRecordedTransaction,
  settleRecordedTransaction,
} from "./sendRecordedTransaction.js";
import { InvalidAmountError, toBaseUnits } from "./units.js";

/**
 * A VVS (Uniswap V2) pair's first trade in a later block than its last one writes both price
 * accumulators, ~22,100 gas each when they are still zero. An estimate taken in the same second as
 * the pair's last trade skips those writes, so the mined swap can run out of gas; measured on the
 * devnet, a two-pair swap took 131,190 gas without the writes and 220,422 with them.
 */
const PAIR_ORACLE_GAS = 50_000n;

export interface SwapExactInParameters {
  /** Idempotency key: the workflow step id. The approval (when needed) uses `${stepId}:approve`. */
  stepId: string;
  runId?: string | null;
  tokenIn: string;
  tokenOut: string;
  /** Base units of tokenIn. */
  amountIn: bigint | string;
  /** Tolerated shortfall against the quote, in basis points (50 = 0.5 %). */
  slippageBps: number;
  /** Seconds from now after which the router refuses the swap. */
  deadlineSeconds: number;
  /** How long to wait for each receipt before TransactionPendingError (the run then waits on a hook). */
  receiptTimeoutMs?: number;
  /** An explicit floor on the output ("at least 9.5 USDC"); the highest of the floors applies. */
  minAmountOut?: bigint | string;
  /**
   * Refuse a pool paying more than `maxGapBps` below its average over the last `averageMinutes` or
   * more (the pairs' own oracles; measurePriceGap), and make the router hold the output to that
   * floor. `averageMinutes: 0` or no guard: the quote's slippage floor only.
   */
  priceGuard?: { averageMinutes: number; maxGapBps: number };
}

export interface SwapExactInReturnType {
  hash: `0x${string}`;
  tokenIn: string;
  tokenOut: string;
  amountIn: string;
  /** What the wallet actually received, read from the receipt's logs. */
  amountOut: string;
  /** The quote at send time and the minimum the router had to honour. */
  quotedAmountOut: string;
  amountOutMin: string;
  path: Address[];
  priceImpactBps: number;
  /** The route's price against its recent average when the swap was sent (null: no average yet). */
  priceGap?: SwapPriceGap | null;
  blockNumber: string;
  /** Native base units paid for gas by the swap (and by its approval, when one was sent). */
  gasCost: string;
  approvalHash?: `0x${string}`;
  reused: boolean;
}

/** A PriceGap as stored and answered (the floor as a decimal string). */
export interface SwapPriceGap {
  averageSeconds: number;
  gapBps: number;
  floor: string;
}

interface SwapDetails {
  tokenIn: string;
  tokenOut: string;
  amountIn: string;
  quotedAmountOut: string;
  amountOutMin: string;
  path: Address[];
  priceImpactBps: number;
  priceGap?: SwapPriceGap | null;
  approvalHash?: `0x${string}`;
  approvalGasCost?: string;
  amountOut?: string;
}

/**
 * Exact-input swap on the network's Uniswap V2-style DEX (VVS on Cronos): CRO in or out goes through
 * WCRO, ERC-20 input is approved first when the allowance is short, and the amount received is read
 * from the receipt. Exactly once per stepId (see sendRecordedTransaction).
 */
export async function swapExactIn(
  context: ChainContext,
  db: Kysely<Database>,
  parameters: SwapExactInParameters,
): Promise<SwapExactInReturnType> {
  const tokenIn = requireToken(context.network, parameters.tokenIn);
  const tokenOut = requireToken(context.network, parameters.tokenOut);
  const amountIn = toBaseUnits(parameters.amountIn);
  if (
    !Number.isInteger(parameters.slippageBps) ||
    parameters.slippageBps < 0 ||
    parameters.slippageBps > 5_000
  ) {
    throw new InvalidAmountError(
      `slippageBps must be an integer from 0 to 5000, got ${parameters.slippageBps}`,
    );
  }
  if (!Number.isInteger(parameters.deadlineSeconds) || parameters.deadlineSeconds <= 0) {
    throw new InvalidAmountError(
      `deadlineSeconds must be a positive integer, got ${parameters.deadlineSeconds}`,
    );
  }
  const dex = requireDex(context);
  const owner = context.account.address;

  let row: ChainTransactionRow | undefined = await findStepTransaction(db, {
    chainId: context.chain.id,
    stepId: parameters.stepId,
    kind: "swap",
  });
  let reused = row !== undefined;
  let details: SwapDetails;
  let approval: SendApprovalReturnType | undefined;

  if (row) {
    details = row.details as SwapDetails;
    if (
      details.tokenIn !== tokenIn.symbol ||
      details.tokenOut !== tokenOut.symbol ||
      details.amountIn !== amountIn.toString()
    ) {
      throw new StepConflictError(
        `Step ${parameters.stepId} already sent a different swap (${row.hash})`,
      );
    }
  } else {
    // An earlier attempt of this step may have sent the approval and stopped waiting for it: it is
    // this step's gas and hash whether or not the allowance still needs it, and reading it first
    // marks it mined, so a refusal below (a pool moved) still books its gas (bookFailedStepGas).
    approval = await readStepApproval(context, db, {
      stepId: parameters.stepId,
      receiptTimeoutMs: parameters.receiptTimeoutMs,
    });
    const quote = await quoteSwap(context, {
      tokenIn: tokenIn.symbol,
      tokenOut: tokenOut.symbol,
      amountIn,
    });
    const quotedAmountOut = BigInt(quote.amountOut);
    const guard = parameters.priceGuard;
    const { gap, refusal } = guard
      ? await checkSwapPrice(context, db, { quote, ...guard })
      : { gap: null, refusal: undefined };
    if (refusal) throw new PriceGapError(refusal);
    const slippageFloor = (quotedAmountOut * BigInt(10_000 - parameters.slippageBps)) / 10_000n;
    const explicitFloor =
      parameters.minAmountOut === undefined ? 0n : toBaseUnits(parameters.minAmountOut);
    // The router holds the swap to the highest floor, so a pool pushed after the quote (in the
    // same block, before ours) makes it revert instead of paying less.
    const floors = [
      { amount: slippageFloor, reason: `${parameters.slippageBps} bps slippage from the quote` },
      { amount: explicitFloor, reason: "the plan's minimum" },
      {
        amount: gap?.floor ?? 0n,
        reason: `the pool's average less ${guard?.maxGapBps ?? 0} bps`,
      },
    ];
    const binding = floors.reduce((a, b) => (b.amount > a.amount ? b : a));
    const amountOutMin = binding.amount;

    const available =
      tokenIn.address === "native"
        ? await context.publicClient.getBalance({ address: owner })
        : await context.publicClient.readContract({
            address: tokenIn.address,
            abi: erc20Abi,
            functionName: "balanceOf",
            args: [owner],
          });
    if (available < amountIn)
      throw new InsufficientBalanceError({ token: tokenIn.symbol, required: amountIn, available });

    if (tokenIn.address !== "native") {
      const allowance = await context.publicClient.readContract({
        address: tokenIn.address,
        abi: erc20Abi,
        functionName: "allowance",
        args: [owner, dex.router],
      });
      if (!approval && allowance < amountIn) {
        approval = await sendApproval(context, db, {
          stepId: parameters.stepId,
          runId: parameters.runId,
          action: `Approval of ${tokenIn.symbol} for the router`,
          to: tokenIn.address,
          data: encodeFunctionData({
            abi: erc20Abi,
            functionName: "approve",
            args: [dex.router, amountIn],
          }),
          token: tokenIn.symbol,
          amount: amountIn,
          details: { spender: dex.router },
          receiptTimeoutMs: parameters.receiptTimeoutMs,
        });
      }
    }

    const latest = await context.publicClient.getBlock({ blockTag: "latest" });
    const now = BigInt(Math.max(Math.floor(Date.now() / 1000), Number(latest.timestamp)));
    const deadline = now + BigInt(parameters.deadlineSeconds);
    const path = quote.path;
    const data =
      tokenIn.address === "native"
        ? encodeFunctionData({
            abi: routerAbi,
            functionName: "swapExactETHForTokens",
            args: [amountOutMin, path, owner, deadline],
          })
        : tokenOut.address === "native"
          ? encodeFunctionData({
              abi: routerAbi,
              functionName: "swapExactTokensForETH",
              args: [amountIn, amountOutMin, path, owner, deadline],
            })
          : encodeFunctionData({
              abi: routerAbi,
              functionName: "swapExactTokensForTokens",
              args: [amountIn, amountOutMin, path, owner, deadline],
            });
    details = {
      tokenIn: tokenIn.symbol,
      tokenOut: tokenOut.symbol,
      amountIn: amountIn.toString(),
      quotedAmountOut: quotedAmountOut.toString(),
      amountOutMin: amountOutMin.toString(),
      path,
      priceImpactBps: quote.priceImpactBps,
      priceGap: gap && { ...gap, floor: gap.floor.toString() },
      ...(approval
        ? { approvalHash: approval.hash, approvalGasCost: approval.gasCost.toString() }
        : {}),
    };
    try {
      const sent = await sendRecordedTransaction(context, db, {
        stepId: parameters.stepId,
        runId: parameters.runId,
        kind: "swap",
        action: `Swap of ${tokenIn.symbol} for ${tokenOut.symbol}`,
        to: dex.router,
        data,
        value: tokenIn.address === "native" ? amountIn : undefined,
        token: tokenIn.symbol,
        amount: amountIn,
        details: { ...details },
        unseenGas: PAIR_ORACLE_GAS * BigInt(path.length - 1),
      });
      row = sent.row;
      reused = sent.reused;
    } catch (error) {
      if (
        error instanceof TransactionWouldRevertError &&
        /INSUFFICIENT_OUTPUT_AMOUNT/.test(error.reason ?? "")
      ) {
        throw new SlippageExceededError(
          `Swap of ${tokenIn.symbol} for ${tokenOut.symbol} would return less than the minimum ${amountOutMin} (quoted ${quotedAmountOut}; the minimum is ${binding.reason}); nothing was sent`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  const settled = await settleRecordedTransaction(context, db, row, {
    reused,
    timeoutMs: parameters.receiptTimeoutMs,
  });
  const amountOut = receivedAmount(context, settled.receipt, tokenOut.address, owner, dex.router);
  if (details.amountOut !== amountOut.toString()) {
    await markRow(db, settled.hash, {
      status: "confirmed",
      details: { ...details, amountOut: amountOut.toString() },
    });
  }
  // A reused swap's approval is on its row; one recorded without it may still have had one (an
  // attempt that found the allowance granted by an earlier, slower attempt recorded none before
  // readStepApproval), so ask the approval's row.
  if (reused) {
    approval = details.approvalHash
      ? { hash: details.approvalHash, gasCost: BigInt(details.approvalGasCost ?? "0") }
      : await readStepApproval(context, db, {
          stepId: parameters.stepId,
          receiptTimeoutMs: parameters.receiptTimeoutMs,
        });
  }
  const totalGas = settled.gasCost + (approval?.gasCost ?? 0n);
  return {
    hash: settled.hash,
    tokenIn: tokenIn.symbol,
    tokenOut: tokenOut.symbol,
    amountIn: amountIn.toString(),
    amountOut: amountOut.toString(),
    quotedAmountOut: details.quotedAmountOut,
    amountOutMin: details.amountOutMin,
    path: details.path,
    priceImpactBps: details.priceImpactBps,
    priceGap: details.priceGap ?? null,
    blockNumber: settled.blockNumber.toString(),
    gasCost: totalGas.toString(),
    ...(approval ? { approvalHash: approval.hash } : {}),
    reused,
  };
}

/**
 * The amount the owner received, from the receipt: ERC-20 Transfer events of tokenOut to the owner,
 * or for native CRO the WCRO Withdrawal the router made before forwarding it.
 */
function receivedAmount(
  context: ChainContext,
  receipt: TransactionReceipt,
  tokenOut: Address | "native",
  owner: Address,
  router: Address,
): bigint {
  if (tokenOut === "native") {
    const withdrawals = parseEventLogs({
      abi: wrappedNativeAbi,
      eventName: "Withdrawal",
      logs: receipt.logs,
    }).filter(
      (log) =>
        log.address.toLowerCase() === context.registry.wrappedNative.toLowerCase() &&
        log.args.src.toLowerCase() === router.toLowerCase(),
    );
    return withdrawals.reduce((sum, log) => sum + log.args.wad, 0n);
  }
  const transfers = parseEventLogs({
    abi: erc20Abi,
    eventName: "Transfer",
    logs: receipt.logs,
  }).filter(
    (log) =>
      log.address.toLowerCase() === tokenOut.toLowerCase() &&
      log.args.to.toLowerCase() === owner.toLowerCase(),
  );
  return transfers.reduce((sum, log) => sum + log.args.value, 0n);
}
