import { describe, expect, test } from "vitest";
import { devnetAccount } from "../../../lib/chain/devnet/devnetAccounts.js";
import { devnetAccountIndex, devnetRoleAccount } from "../../../lib/chain/devnetConstants.js";
import {
  isDevnetAddress,
  isDevnetPrivateKey,
  wellKnownDevnetAccounts,
} from "../../../lib/config/devnetKeys.js";

describe("wellKnownDevnetAccounts", () => {
  test("behavior: the list is exactly the first ten accounts of anvil's test mnemonic", () => {
    expect(wellKnownDevnetAccounts).toHaveLength(10);
    wellKnownDevnetAccounts.forEach(([address, privateKey], index) => {
      expect({ address, privateKey }).toEqual(devnetAccount(index));
    });
  });

  test("behavior: every devnet role's account is on the list, and the table lookup equals the derivation", () => {
    for (const role of Object.keys(devnetAccountIndex) as (keyof typeof devnetAccountIndex)[]) {
      expect(devnetRoleAccount(role)).toEqual(devnetAccount(role));
      expect(isDevnetPrivateKey(devnetRoleAccount(role).privateKey)).toBe(true);
      expect(isDevnetAddress(devnetRoleAccount(role).address)).toBe(true);
    }
  });

  test("args: letter case and surrounding spaces do not hide a devnet key or address", () => {
    const [address, key] = wellKnownDevnetAccounts[1]!;
    expect(isDevnetPrivateKey(` ${key.toUpperCase().replace("0X", "0x")} `)).toBe(true);
    expect(isDevnetAddress(address.toLowerCase())).toBe(true);
    expect(isDevnetPrivateKey(`0x${"11".repeat(32)}`)).toBe(false);
    expect(isDevnetAddress(`0x${"11".repeat(20)}`)).toBe(false);
  });
});
