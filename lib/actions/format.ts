import { getAddress, isAddress } from "viem";
import { formatDecimal } from "../agent/decimal.js";
import { findToken } from "../chain/registry.js";
import { getConfig } from "../config.js";

/**
 * A token amount as a person reads it: whole amounts bare ("50 USDC"), others with two decimals,
 * rounded down ("99.12 USDC", "0.10 USDC"), and tiny amounts with their significant digits.
 * Unknown symbols fall back to base units so nothing is ever misstated.
 */
export function formatAmount(amount: bigint | string, symbol: string): string {
  const token = findToken(getConfig().PAYGENT_NETWORK, symbol);
  if (!token) return `${amount} base units of ${symbol}`;
  return `${humanDecimal(BigInt(amount), token.decimals)} ${token.symbol}`;
}

/** The decimal display rule of formatAmount, for a known number of decimals. */
export function humanDecimal(value: bigint, decimals: number): string {
  const exact = formatDecimal(value, decimals);
  const [whole, fraction = ""] = exact.split(".");
  if (fraction === "") return exact;
  const two = fraction.slice(0, 2);
  if (whole !== "0" || /[1-9]/.test(two)) return `${whole}.${two.padEnd(2, "0")}`;
  // Below a cent: keep up to four significant digits so the line never reads "0.00".
  const firstDigit = fraction.search(/[1-9]/);
  return `0.${fraction.slice(0, firstDigit + 4).replace(/0+$/, "")}`;
}

/** 0x90F79bf6EB2c4f870365E785982E1f101E93b906 → "0x90F7…b906". */
export function shortAddress(address: string): string {
  const checksummed = isAddress(address) ? getAddress(address) : address;
  return checksummed.length > 12
    ? `${checksummed.slice(0, 6)}…${checksummed.slice(-4)}`
    : checksummed;
}

/** A URL as a short label: its host and path, without the scheme or query. */
export function shortUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.host}${parsed.pathname === "/" ? "" : parsed.pathname}`;
  } catch {
    return url;
  }
}

/**
 * A dollar figure the user said, next to the stablecoin amount that pays it: "$10 paid as 10 USDC"
 * (cents shown when there are any: "$2.50 paid as 2.5 USDC").
 */
export function paidAs(usd: string, amount: string): string {
  return `${dollars(usd)} paid as ${amount}`;
}

/** A dollar figure as a person writes it: "$10", "$2.50". */
export function dollars(usd: string): string {
  const [whole, cents = ""] = usd.split(".");
  return `$${/[1-9]/.test(cents) ? `${whole}.${cents.padEnd(2, "0")}` : whole}`;
}
