import { toHex } from "viem";
import { type HDAccount, mnemonicToAccount } from "viem/accounts";
import { type DevnetAccount, type DevnetRole, devnetAccountIndex } from "../devnetConstants.js";

export { type DevnetAccount, type DevnetRole, devnetAccountIndex } from "../devnetConstants.js";

/** anvil's well-known test mnemonic: its accounts are public, so they are only ever used on the devnet. */
export const ANVIL_MNEMONIC = "test test test test test test test test test test test junk";

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
