/** The freezes row of the agent wallet. */
export const WALLET_TARGET = "wallet";

/** The freezes row of one API key. */
export function keyTarget(keyId: string): string {
  return `key:${keyId}`;
}
