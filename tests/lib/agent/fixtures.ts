import type { TokenList } from "../../../lib/agent/tokens.js";

/** The token fixture the brief prescribes (the chain registry supplies the real list). */
export const tokens: TokenList = [
  { symbol: "CRO", decimals: 18, aliases: ["cronos"] },
  { symbol: "WCRO", decimals: 18 },
  { symbol: "USDC", decimals: 6, aliases: ["USDC.e", "usd coin"] },
  { symbol: "USDT", decimals: 6 },
  { symbol: "VVS", decimals: 18 },
];

export const ADDRESS = "0x1234567890AbcdEF1234567890aBcdef12345678";
