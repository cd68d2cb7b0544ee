import {
  createEIP712OfferReceiptIssuer,
  type OfferReceiptIssuer,
} from "@x402/extensions/offer-receipt";
import { privateKeyToAccount } from "viem/accounts";
import { devnetRoleAccount } from "../chain/devnetConstants.js";
import { getConfig } from "../config.js";
import type { PaidRouteTerms } from "./createPaidRoute.js";

/**
 * The signer of offers and receipts (x402 offer-receipt extension, EIP-712) for Paygent's own paid
 * resources: on the devnet, the merchant account that receives the payments; elsewhere none (no
 * merchant key is held), and resources answer without signatures.
 */
export function devnetOfferReceiptIssuer(terms: PaidRouteTerms): OfferReceiptIssuer | undefined {
  if (getConfig().PAYGENT_NETWORK !== "devnet") return undefined;
  // The constant, not lib/chain/devnet's HD derivation: functions must not bundle the devnet machinery.
  const merchant = devnetRoleAccount("merchant");
  if (terms.payTo.toLowerCase() !== merchant.address.toLowerCase()) return undefined;
  const account = privateKeyToAccount(merchant.privateKey);
  return createEIP712OfferReceiptIssuer(`did:pkh:${terms.network}:${account.address}`, (typed) =>
    account.signTypedData(typed as Parameters<typeof account.signTypedData>[0]),
  );
}
