import { STABLECOINS, type TokenList } from "../tokens.js";

/** What a refusal teaches: what Paygent does, then commands this deployment can actually run. */
export interface CommandExamples {
  /** One line naming what Paygent can do, with this network's tokens. */
  capabilities: string;
  /** Example commands built from known tokens and registered services. */
  examples: string[];
}

/**
 * Examples drawn from what this deployment can do: its network's tokens and, when the caller knows
 * them, its registered services. A refusal must not suggest a service that is not registered
 * (issue 20: "hello there" used to suggest subscribing to a weather API that did not exist).
 */
export function commandExamples(
  tokens: TokenList,
  services: ReadonlyArray<string> = [],
): CommandExamples {
  const symbols = tokens.map((t) => t.symbol);
  const stable = symbols.find((s) => STABLECOINS.has(s.toUpperCase())) ?? symbols[0] ?? "USDC";
  const other = symbols.find((s) => s !== stable && !s.toUpperCase().startsWith("W")) ?? stable;
  const examples = [`"what's my balance"`];
  if (other !== stable) examples.push(`"swap 10 ${other} for ${stable}"`);
  const service = services[0];
  if (service) {
    examples.push(`"pay 0.10 ${stable} to ${service}"`);
    examples.push(`"subscribe to ${services[1] ?? service} monthly"`);
  }
  examples.push(`"find services under 0.5 ${stable}"`);
  const tokenList = symbols.length > 0 ? ` (${symbols.join(", ")})` : "";
  return {
    capabilities: `Paygent can check balances, swap and transfer tokens${tokenList}, pay and find services${service ? ` (registered: ${services.slice(0, 5).join(", ")})` : ""}, and manage subscriptions`,
    examples: examples.map((example) => `e.g. ${example}`),
  };
}
