import { CommandParseError } from "../errors.js";
import type { Budget, ParsedCommand, ParsedIntent, UnderstoodBy } from "../intent.js";
import type { SessionMemory } from "../memory.js";
import type { TokenList } from "../tokens.js";
import { checkRuleBypass } from "./checkRuleBypass.js";
import { commandExamples } from "./commandExamples.js";
import { type Clauses, extractClauses } from "./extractClauses.js";
import { type VerbClass, verbOf } from "./lexicon.js";
import { balanceNoun, parseBalance } from "./parseBalance.js";
import { parseDiscover } from "./parseDiscover.js";
import { isMarketTrade, parseBet, parseRedeem, parseSellShares } from "./parseMarket.js";
import { parsePayment } from "./parsePayment.js";
import { parseSubscribe, parseUnsubscribe } from "./parseSubscription.js";
import { parseSwap } from "./parseSwap.js";
import { readNumberWords } from "./readNumberWords.js";
import { refuse } from "./refuse.js";
import { resolveReference } from "./resolveReference.js";
import { splitSteps, stripFillers } from "./splitSteps.js";
import { tokenize, type Word } from "./tokenize.js";

/** Parameters of parseIntents and parseCommand. */
export interface ParseCommandOptions {
  tokens: TokenList;
  /** Session memory for "do that again", "pay the same service", "swap it back". */
  memory?: SessionMemory;
  /** Names of registered services, for the examples a refusal gives (commandExamples). */
  services?: ReadonlyArray<string>;
}

/** Longest command accepted (characters); longer input is refused rather than scanned. */
export const MAX_COMMAND_LENGTH = 2000;

/** The one refusal for a command that is not understood: what Paygent does, with examples. */
function notUnderstood(text: string, options: ParseCommandOptions, cause?: unknown) {
  const { capabilities, examples } = commandExamples(options.tokens, options.services);
  return refuse(`I don't understand "${text}"`, {
    reason: "unrecognized",
    suggestions: [capabilities, ...examples],
    cause,
  });
}

/** Verbs that, with no amount, read as everyday speech ("buy me some pizza") as easily as a trade. */
const tradeKinds = new Set<VerbClass>(["buy", "sell", "swap"]);

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

const balanceMarkers = new Set(["balance", "balances", "holdings", "funds", "portfolio", "bal"]);
/** Words after which a typo of a balance noun still reads as one ("my ballance"). */
const possessives = new Set(["my", "our", "the", "wallet"]);

function isBalanceQuestion(words: ReadonlyArray<Word>): boolean {
  if (has(words, balanceMarkers)) return true;
  // A typo counts only after "my", "the"…, so "balancer" in a search stays itself.
  for (let i = 1; i < words.length; i++) {
    const word = words[i]!;
    if (word.kind !== "word" || word.lower.length < 5) continue;
    if (!possessives.has(words[i - 1]!.lower)) continue;
    const noun = balanceNoun(word.lower);
    if (noun && noun !== "wallet") return true;
  }
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

/** Quoted text outside a market step is read as the words it holds (a quoted service name). */
function unquote(words: Word[]): Word[] {
  if (!words.some((w) => w.kind === "quoted")) return words;
  return words.flatMap((w) => (w.kind === "quoted" ? tokenize(w.raw) : [w]));
}

const ownWords = new Set(["have", "hold", "own", "got"]);
const winnings = new Set(["winnings", "payout", "payouts"]);

/**
 * Whether a step is a prediction-market command: "bet"/"wager"/"redeem", "claim my winnings",
 * "put"/"place" with a bet in it, or a buy/sell that names an outcome ("buy 5 USDC of no on …").
 */
function isMarketStep(words: ReadonlyArray<Word>, verb: VerbClass | undefined): boolean {
  const head = words[0]!.lower;
  switch (verb) {
    case "redeem":
      return true;
    case "bet":
      return (
        head === "bet" ||
        head === "wager" ||
        isMarketTrade(words.slice(1)) ||
        words.some((w) => w.lower === "bet")
      );
    case "buy":
    case "sell":
      return isMarketTrade(words.slice(1));
    case "unsupported":
      return head === "claim" && has(words, winnings);
    default:
      return false;
  }
}

/** One step's intents, the budget it carries, and who read them (a repeated model command). */
interface StepReading {
  steps: ParsedIntent[];
  budget?: Budget;
  understoodBy?: UnderstoodBy;
}

/**
 * Parses one step (fillers and clauses already removed). A trade verb without any amount whose
 * token is unknown and close to none ("buy me some pizza") is not a trade at all: it gets the
 * not-understood answer with examples rather than `Unknown token "pizza"`.
 */
function parseStep(input: Word[], options: ParseCommandOptions): StepReading {
  try {
    return parseOneStep(input, options);
  } catch (error) {
    const head = input[0]!;
    const verb = head.kind === "word" ? verbOf(head.lower) : undefined;
    if (
      error instanceof CommandParseError &&
      error.reason === "unknown_token" &&
      !error.message.includes("did you mean") &&
      verb &&
      tradeKinds.has(verb.class) &&
      !input.some((w) => w.kind === "number")
    ) {
      throw notUnderstood(input.map((w) => w.raw).join(" "), options, error);
    }
    throw error;
  }
}

function parseOneStep(input: Word[], options: ParseCommandOptions): StepReading {
  const head = input[0]!;
  const verb = head.kind === "word" ? verbOf(head.lower) : undefined;
  const market = isMarketStep(input, verb?.class);
  const words = market ? input : unquote(input);
  const rest = words.slice(1);
  if (market) {
    if (verb?.class === "sell") return { steps: [parseSellShares(rest, options.tokens)] };
    if (verb?.class === "bet" || verb?.class === "buy")
      return { steps: [parseBet(rest, options.tokens)] };
    return { steps: [parseRedeem(rest, options.tokens)] };
  }

  const reference = resolveReference(words, options.tokens, options.memory);
  if (reference?.kind === "repeat") {
    return {
      steps: reference.command.steps,
      budget: reference.command.budget,
      // A repeat of what a model read is still the model's reading: its values are not in this
      // text either, so the planner asks approval for the money it moves again.
      ...(reference.command.understoodBy ? { understoodBy: reference.command.understoodBy } : {}),
    };
  }
  if (reference) return { steps: reference.steps };

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
  if (kind === "repeat" && has(words, ownWords)) kind = "balance"; // "do I have any USDC"
  if (!kind && isBalanceQuestion(words)) kind = "balance";
  // "any weather APIs?": a search without a verb.
  if (!kind && has(words, serviceWords)) kind = "discover";
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
      return { steps: [parseDiscover(verb ? rest : words, options.tokens)] };
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
      throw refuse(`I could not tell what "${words.map((w) => w.raw).join(" ")}" refers to`, {
        reason: "unrecognized",
        suggestions: ['Try "do that again", "swap it back" or "pay the same service"'],
      });
    case "unsupported": {
      const { capabilities, examples } = commandExamples(options.tokens, options.services);
      throw refuse(`"${verb!.verb}" is not something Paygent can do`, {
        reason: "unsupported",
        suggestions: [capabilities, ...examples],
      });
    }
    default:
      throw notUnderstood(words.map((w) => w.raw).join(" "), options);
  }
}

function isSwap(step: ParsedIntent): boolean {
  return step.kind === "swap" || step.kind === "swapAll";
}

function mergeSwapClauses(step: ParsedIntent, clauses: Clauses): ParsedIntent {
  if (step.kind !== "swap" && step.kind !== "swapAll") return step;
  return {
    ...step,
    ...(clauses.slippageBps !== undefined ? { slippageBps: clauses.slippageBps } : {}),
    ...(clauses.deadlineSeconds !== undefined ? { deadlineSeconds: clauses.deadlineSeconds } : {}),
  };
}

/**
 * Deterministic parser for plain-language commands: every step it understands, including the
 * ones the planner does not plan yet (PendingIntent). Returns the steps in order and the budget;
 * throws CommandParseError (with suggestions) instead of guessing anything about money.
 */
export function parseIntents(text: string, options: ParseCommandOptions): ParsedCommand {
  if (text.length > MAX_COMMAND_LENGTH) {
    throw refuse(`The command is too long (at most ${MAX_COMMAND_LENGTH} characters)`, {
      reason: "unsupported",
    });
  }
  const words = readNumberWords(tokenize(text), options.tokens);
  checkRuleBypass(words);
  const segments = splitSteps(words);
  const steps: ParsedIntent[] = [];
  let budget: Budget | undefined;
  let inheritedBudget: Budget | undefined;
  let understoodBy: UnderstoodBy | undefined;
  let pendingSwapClauses: Clauses | undefined;

  for (const segment of segments) {
    const { words, clauses } = extractClauses(segment, options.tokens);
    if (clauses.budget) {
      if (budget)
        throw refuse("The command names two budgets; give one", {
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
        const lastSwap = steps.findLastIndex(isSwap);
        if (lastSwap < 0) pendingSwapClauses = swapClauses;
        else steps[lastSwap] = mergeSwapClauses(steps[lastSwap]!, swapClauses);
      }
      continue;
    }
    const parsed = parseStep(body, options);
    if (parsed.budget && !inheritedBudget) inheritedBudget = parsed.budget;
    if (parsed.understoodBy) understoodBy = parsed.understoodBy;
    let applied = swapClauses === undefined;
    for (const step of parsed.steps) {
      const merged = swapClauses && isSwap(step) ? mergeSwapClauses(step, swapClauses) : step;
      if (merged !== step) applied = true;
      steps.push(merged);
    }
    if (!applied && swapClauses) {
      const lastSwap = steps.findLastIndex(isSwap);
      if (lastSwap < 0) {
        throw refuse("Slippage and deadlines only apply to swaps", {
          reason: "unrecognized",
        });
      }
      steps[lastSwap] = mergeSwapClauses(steps[lastSwap]!, swapClauses);
    }
  }
  if (pendingSwapClauses) {
    const firstSwap = steps.findIndex(isSwap);
    if (firstSwap < 0) {
      throw refuse("Slippage and deadlines only apply to swaps", {
        reason: "unrecognized",
      });
    }
    steps[firstSwap] = mergeSwapClauses(steps[firstSwap]!, pendingSwapClauses);
  }
  if (steps.length === 0) {
    throw refuse(text.trim() === "" ? "The command is empty" : "The command has no action in it", {
      reason: budget ? "incomplete" : "unrecognized",
      suggestions: commandExamples(options.tokens, options.services).examples,
    });
  }
  if (steps.length > 20) {
    throw refuse("Too many steps in one command (at most 20)", {
      reason: "unsupported",
    });
  }
  const finalBudget = budget ?? inheritedBudget;
  return {
    steps,
    ...(finalBudget ? { budget: finalBudget } : {}),
    ...(understoodBy ? { understoodBy } : {}),
  };
}
