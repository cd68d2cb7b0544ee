import { enforceRateLimit } from "../../security/rateLimit.js";
import { defineTool } from "../defineTool.js";
import { quotePrice } from "../quotePrice.js";
import { quoteX402Spec } from "../toolSpecs.js";

/** quote_x402: a resource's (or paid MCP tool's) live price, read without paying. */
export const quoteX402Tool = defineTool(quoteX402Spec, async (args, { request }) => {
  // Each quote reaches out to a provider: count it like a command.
  await enforceRateLimit(request, { bucket: "command", perKey: true });
  const quote = await quotePrice(args);
  const text = !quote.paymentRequired
    ? `${args.url} answered without asking for payment.`
    : quote.selected
      ? `Price: ${quote.selected.amount} base units of ${quote.selected.asset} on ${quote.selected.network}; nothing was paid.`
      : `Paygent would not pay this: ${quote.refusal}`;
  return { structured: { ...quote }, text };
});
