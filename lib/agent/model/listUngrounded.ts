import type { Action } from "../../actions/schemas.js";
import { formatDecimal } from "../decimal.js";
import type { Intent, MarketRef } from "../intent.js";
import { findToken, type TokenList } from "../tokens.js";
import { type CommandText, canonicalUrl, containsWords, plainWords } from "./readCommandText.js";

/** Words a service name may carry or drop without naming another service ("the weather API"). */
const genericWords = new Set(["the", "a", "an", "api", "service", "services"]);

function withoutGeneric(words: ReadonlyArray<string>): string[] {
  return words.filter((word) => !genericWords.has(word));
}

/**
 * Whether one of `names` (the model's, or the registry's for what it resolved to) is written in
 * the text, ignoring case, punctuation and words such as "the" and "API".
 */
function namedInText(text: CommandText, names: ReadonlyArray<string | undefined>): boolean {
  const words = withoutGeneric(text.words);
  return names.some(
    (name) => name !== undefined && containsWords(words, withoutGeneric(plainWords(name))),
  );
}

/** The action's registry name, when the planner resolved a service. */
function serviceNameOf(action: Action): string | undefined {
  return "serviceName" in action ? action.serviceName : undefined;
}

function marketName(ref: MarketRef): string {
  return ref.type === "name" ? ref.name : ref.question;
}

/** Collects what the model read that the text does not say, in words a person approving reads. */
class Ungrounded {
  readonly values: string[] = [];

  constructor(
    private readonly text: CommandText,
    private readonly tokens: TokenList,
  ) {}

  /** An amount in base units of `symbol`: grounded by one unclaimed mention of its number. */
  amount(label: string, amount: string | undefined, symbol: string | undefined): void {
    if (amount === undefined) return;
    const token = symbol ? findToken(this.tokens, symbol) : undefined;
    const value = token ? formatDecimal(BigInt(amount), token.decimals) : undefined;
    const left = value === undefined ? 0 : (this.text.numbers.get(value) ?? 0);
    if (value !== undefined && left > 0) {
      this.text.numbers.set(value, left - 1);
      return;
    }
    this.values.push(`${label} ${value ?? amount}`);
  }

  token(symbol: string | undefined): void {
    if (symbol === undefined || this.text.tokens.has(symbol)) return;
    const token = findToken(this.tokens, symbol);
    if (token && this.text.tokens.has(token.symbol)) return;
    this.values.push(`token ${symbol}`);
  }

  address(address: string): void {
    if (!this.text.addresses.has(address.toLowerCase())) this.values.push(`recipient ${address}`);
  }

  url(url: string): void {
    const canonical = canonicalUrl(url);
    if (canonical === undefined || !this.text.urls.has(canonical)) this.values.push(`URL ${url}`);
  }

  service(name: string, action: Action): void {
    if (!namedInText(this.text, [name, serviceNameOf(action)]))
      this.values.push(`service "${name}"`);
  }

  market(ref: MarketRef, action: Action): void {
    const resolved =
      "market" in action && typeof action.market === "string" ? action.market : undefined;
    if (!namedInText(this.text, [marketName(ref), resolved]))
      this.values.push(`market "${marketName(ref)}"`);
  }

  outcome(outcome: "yes" | "no"): void {
    if (!this.text.words.includes(outcome)) this.values.push(`outcome ${outcome}`);
  }

  slippage(bps: number | undefined): void {
    if (bps === undefined) return;
    const percent = formatDecimal(BigInt(bps), 2);
    // Said as a percent ("0.5%") or in basis points ("50 bps").
    if (this.text.allNumbers.has(percent) || this.text.allNumbers.has(String(bps))) return;
    this.values.push(`slippage ${percent}%`);
  }
}

/**
 * The values of one model-read step that move money and that the command's text does not contain
 * ("recipient 0x…", "amount 9.99", "service \"Weather\""): addresses compared without case,
 * amounts as decimals ("10" is "10.0", each mention grounding one amount), URLs as parsed, tokens
 * by symbol or alias (a dollar amount names the USD stablecoins), services and markets by the
 * model's name or the registry's. Empty when every value is in the text. `text` is the command's,
 * read once per plan; amounts found here are claimed from it.
 */
export function listUngrounded(
  intent: Intent,
  action: Action,
  text: CommandText,
  tokens: TokenList,
): string[] {
  const found = new Ungrounded(text, tokens);
  switch (intent.kind) {
    case "balance":
    case "discover":
      // Reads: nothing moves, whatever the model read.
      break;
    // Who is paid first, then how much: the order a person approving reads best.
    case "transfer":
      if (intent.to.type === "address") found.address(intent.to.address);
      else if (intent.to.type === "url") found.url(intent.to.url);
      else found.service(intent.to.name, action);
      found.amount("amount", intent.amount, intent.token);
      found.token(intent.token);
      break;
    case "transferAll":
      found.address(intent.to.address);
      found.token(intent.token);
      break;
    case "pay":
      if (intent.service !== undefined) found.service(intent.service, action);
      if (intent.url !== undefined) found.url(intent.url);
      found.amount("amount", intent.amount, intent.token);
      found.amount("cap", intent.maxAmount, intent.token);
      found.token(intent.token);
      break;
    case "swap":
      found.amount("amount", intent.amountIn, intent.tokenIn);
      found.amount("amount", intent.amountOut, intent.tokenOut);
      found.token(intent.tokenIn);
      found.token(intent.tokenOut);
      found.slippage(intent.slippageBps);
      break;
    case "swapAll":
      found.token(intent.tokenIn);
      found.token(intent.tokenOut);
      found.slippage(intent.slippageBps);
      break;
    case "subscribe":
    case "unsubscribe":
      found.service(intent.service, action);
      break;
    case "bet":
      found.market(intent.market, action);
      found.outcome(intent.outcome);
      found.amount("amount", intent.amount, intent.token);
      found.token(intent.token);
      break;
    case "sellShares":
      found.market(intent.market, action);
      found.outcome(intent.outcome);
      break;
    case "redeem":
      found.market(intent.market, action);
      break;
  }
  return found.values;
}
