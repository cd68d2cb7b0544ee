import { type Hex, toHex } from "viem";
import { type HDAccount, mnemonicToAccount } from "viem/accounts";

/** anvil's well-known test mnemonic: its accounts are public, so they are only ever used on the devnet. */
export const ANVIL_MNEMONIC = "test test test test test test test test test test test junk";

/**
 * Which anvil account plays which role. The fixtures deployer has an index nothing else uses, so
 * its nonce counts fixture steps only (deployFixtures relies on that for idempotency).
 */
export const devnetAccountIndex = {
  /** Free for tests and scripts. */
  funder: 0,
  /** The agent wallet (default AGENT_PRIVATE_KEY on the devnet). */
  agent: 1,
  /** The x402 facilitator that settles payments (default FACILITATOR_PRIVATE_KEY on the devnet). */
  facilitator: 2,
  /** The demo merchant / paid API that receives payments. */
  merchant: 3,
  /** Reports the outcome of the devnet prediction markets (ConditionalTokens' oracle). */
  oracle: 8,
  /** Deploys and owns the fixtures (tokens, pools). */
  deployer: 9,
} as const;

export type DevnetRole = keyof typeof devnetAccountIndex;

export interface DevnetAccount {
  address: `0x${string}`;
  privateKey: Hex;
}

const cache = new Map<number, DevnetAccount>();

/** The anvil account at `index` (address and private key), derived from the public test mnemonic. */
export function devnetAccount(indexOrRole: number | DevnetRole): DevnetAccount {
  const index = typeof indexOrRole === "number" ? indexOrRole : devnetAccountIndex[indexOrRole];
  let account = cache.get(index);
  if (!account) {
    const hd: HDAccount = mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: index });
    const key = hd.getHdKey().privateKey;
    if (!key) throw new Error("HD derivation produced no private key");
    account = { address: hd.address, privateKey: toHex(key) };
    cache.set(index, account);
  }
  return account;
}
