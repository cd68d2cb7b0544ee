import { CommandParseError } from "../errors.js";
import type { Budget, Command, Intent } from "../intent.js";
import type { SessionMemory } from "../memory.js";
import type { TokenList } from "../tokens.js";
import { type Clauses, extractClauses } from "./extractClauses.js";
import { verbOf } from "./lexicon.js";
import { parseBalance } from "./parseBalance.js";
import { parseDiscover } from "./parseDiscover.js";
import { parsePayment } from "./parsePayment.js";
import { parseSubscribe, parseUnsubscribe } from "./parseSubscription.js";
import { parseSwap } from "./parseSwap.js";
import { resolveReference } from "./resolveReference.js";
import { splitSteps, stripFillers } from "./splitSteps.js";
import { tokenize, type Word } from "./tokenize.js";

/** Parameters of parseCommand. */
export interface ParseCommandOptions {
  tokens: TokenList;
  /** Session memory for "do that again", "pay the same service", "swap it back". */
  memory?: SessionMemory;
}

/** Longest command accepted (characters); longer input is refused rather than scanned. */
export const MAX_COMMAND_LENGTH = 2000;

const examples = [
  '"swap 10 CRO for USDC then pay 0.10 USDC to the market data API"',
  '"what\'s my balance"',
  '"find market data services under 0.5 USDC"',
  '"subscribe to the weather API monthly"',
];

const serviceWords = new Set([
  "service",
  "services",
  "api",
  "apis",
  "provider",
  "providers",
  "mcp",
  "endpoint",
  "endpoints",
  "tools",
  "servers",
]);

function has(words: ReadonlyArray<Word>, set: ReadonlySet<string>): boolean {
  return words.some((w) => set.has(w.lower));
}

const balanceMarkers = new Set(["balance", "balances", "holdings", "funds", "portfolio"]);

function isBalanceQuestion(words: ReadonlyArray<Word>): boolean {
  if (has(words, balanceMarkers)) return true;
  const text = words.map((w) => w.lower);
  const much = text.indexOf("much");
  return (
    much >= 0 &&
    text[much - 1] === "how" &&
    (text.includes("have") ||
      text.includes("own") ||
      text.includes("hold") ||
      text.includes("got") ||
      text.includes("left"))
  );
}

/** Parses one step (fillers and clauses already removed). */
function parseStep(
  words: Word[],
  options: ParseCommandOptions,
): { steps: Intent[]; budget?: Budget } {
  const reference = resolveReference(words, options.tokens, options.memory);
  if (reference?.kind === "repeat")
    return { steps: reference.command.steps, budget: reference.command.budget };
  if (reference) return { steps: reference.steps };

  const head = words[0]!;
  const verb = head.kind === "word" ? verbOf(head.lower) : undefined;
  const rest = words.slice(1);
  let kind = verb?.class;
  // Content beats the leading verb for questions: "show me MCP services" is a search, "get my
  // balance" is a balance check.
  if (kind === "balance" || kind === "buy" || kind === "discover") {
    if (kind !== "discover" && has(words, serviceWords) && !isBalanceQuestion(words))
      kind = "discover";
    else if (isBalanceQuestion(words) && !has(words, serviceWords)) kind = "balance";
  }
  if (kind === "cancel") {
    if (
      words.some((w) => w.lower.startsWith("subscri") || w.lower === "paying" || w.lower === "plan")
    )
      kind = "unsubscribe";
    else kind = undefined;
  }
  if (!kind && isBalanceQuestion(words)) kind = "balance";
  switch (kind) {
    case "pay":
      return { steps: [parsePayment("pay", rest, options.tokens)] };
    case "send":
      return { steps: [parsePayment("send", rest, options.tokens)] };
    case "swap":
      return { steps: [parseSwap("swap", rest, options.tokens)] };
    case "sell":
      return { steps: [parseSwap("sell", rest, options.tokens)] };
    case "buy":
      return { steps: [parseSwap("buy", rest, options.tokens)] };
    case "balance":
      // Drop the verb itself (it may be a typo such as "balanse").
      return { steps: [parseBalance(verb?.class === "balance" ? rest : words, options.tokens)] };
    case "discover":
      return { steps: [parseDiscover(rest, options.tokens)] };
    case "subscribe":
      return { steps: [parseSubscribe(rest)] };
    case "unsubscribe":
      return {
        steps: [
          parseUnsubscribe(
            words
              .slice(1)
              .filter(
                (w) =>
                  !w.lower.startsWith("subscri") && !["paying", "plan", "stop"].includes(w.lower),
              ),
          ),
        ],
      };
    case "repeat":
    case "reverse":
      throw new CommandParseError(
        `I could not tell what "${words.map((w) => w.raw).join(" ")}" refers to`,
        {
          reason: "unrecognized",
          suggestions: ['Try "do that again", "swap it back" or "pay the same service"'],
        },
      );
    case "unsupported":
      throw new CommandParseError(`"${verb!.verb}" is not something Paygent can do`, {
        reason: "unsupported",
        suggestions: [
          "Paygent can pay, transfer, swap, check balances, find services and manage subscriptions",
          ...examples,
        ],
      });
    default:
      throw new CommandParseError(`I don't understand "${words.map((w) => w.raw).join(" ")}"`, {
        reason: "unrecognized",
        suggestions: examples,
      });
  }
}

function mergeSwapClauses(step: Intent, clauses: Clauses): Intent {
  if (step.kind !== "swap") return step;
  return {
    ...step,
    ...(clauses.slippageBps !== undefined ? { slippageBps: clauses.slippageBps } : {}),
    ...(clauses.deadlineSeconds !== undefined ? { deadlineSeconds: clauses.deadlineSeconds } : {}),
  };
}

/**
 * Deterministic parser for plain-language commands. Returns the steps in order and the budget;
 * throws CommandParseError (with suggestions) instead of guessing anything about money.
 */
export function parseCommand(text: string, options: ParseCommandOptions): Command {
  if (text.length > MAX_COMMAND_LENGTH) {
    throw new CommandParseError(
      `The command is too long (at most ${MAX_COMMAND_LENGTH} characters)`,
      {
        reason: "unsupported",
      },
    );
  }
  const segments = splitSteps(tokenize(text));
  const steps: Intent[] = [];
  let budget: Budget | undefined;
  let inheritedBudget: Budget | undefined;
  let pendingSwapClauses: Clauses | undefined;

  for (const segment of segments) {
    const { words, clauses } = extractClauses(segment, options.tokens);
    if (clauses.budget) {
      if (budget)
        throw new CommandParseError("The command names two budgets; give one", {
          reason: "incomplete",
        });
      budget = clauses.budget;
    }
    const swapClauses =
      clauses.slippageBps !== undefined || clauses.deadlineSeconds !== undefined
        ? clauses
        : undefined;
    const body = stripFillers(words);
    if (body.length === 0) {
      // A clause on its own ("…; with 1% slippage") belongs to the swap before it.
      if (swapClauses) {
        const lastSwap = steps.findLastIndex((s) => s.kind === "swap");
        if (lastSwap < 0) pendingSwapClauses = swapClauses;
        else steps[lastSwap] = mergeSwapClauses(steps[lastSwap]!, swapClauses);
      }
      continue;
    }
    const parsed = parseStep(body, options);
    if (parsed.budget && !inheritedBudget) inheritedBudget = parsed.budget;
    let applied = swapClauses === undefined;
    for (const step of parsed.steps) {
      const merged =
        swapClauses && step.kind === "swap" ? mergeSwapClauses(step, swapClauses) : step;
      if (merged !== step) applied = true;
      steps.push(merged);
    }
    if (!applied && swapClauses) {
      const lastSwap = steps.findLastIndex((s) => s.kind === "swap");
      if (lastSwap < 0) {
        throw new CommandParseError("Slippage and deadlines only apply to swaps", {
          reason: "unrecognized",
        });
      }
      steps[lastSwap] = mergeSwapClauses(steps[lastSwap]!, swapClauses);
    }
  }
  if (pendingSwapClauses) {
    const firstSwap = steps.findIndex((s) => s.kind === "swap");
    if (firstSwap < 0) {
      throw new CommandParseError("Slippage and deadlines only apply to swaps", {
        reason: "unrecognized",
      });
    }
    steps[firstSwap] = mergeSwapClauses(steps[firstSwap]!, pendingSwapClauses);
  }
  if (steps.length === 0) {
    throw new CommandParseError(
      text.trim() === "" ? "The command is empty" : "The command has no action in it",
      {
        reason: budget ? "incomplete" : "unrecognized",
        suggestions: examples,
      },
    );
  }
  if (steps.length > 20) {
    throw new CommandParseError("Too many steps in one command (at most 20)", {
      reason: "unsupported",
    });
  }
  const finalBudget = budget ?? inheritedBudget;
  return finalBudget ? { steps, budget: finalBudget } : { steps };
}
