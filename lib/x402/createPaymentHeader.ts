import { encodePaymentSignatureHeader } from "@x402/core/http";
import type { PaymentPayload, PaymentRequirements } from "@x402/core/types";
import { authorizationTypes } from "@x402/evm";
import type { Account, Address, Hex } from "viem";
import { X402Error, X402ProtocolError } from "./errors.js";
import { type PaymentRequirement, v1NetworkName } from "./requirements.js";

/** The EIP-3009 TransferWithAuthorization message, as decimal strings (the x402 wire shape). */
export interface Authorization {
  from: Address;
  to: Address;
  value: string;
  validAfter: string;
  validBefore: string;
  nonce: Hex;
}

/** The token's EIP-712 domain (name and version) as the token itself reports them. */
export interface TokenDomain {
  name: string;
  version: string;
}

/** Inputs of createPaymentHeader. */
export interface CreatePaymentHeaderParameters {
  /** The agent wallet; must sign locally (a viem local account). */
  account: Account;
  requirement: PaymentRequirement;
  /** Window and nonce decided (and persisted) by the caller; `from/to/value` come from the requirement. */
  nonce: Hex;
  validAfter: bigint;
  validBefore: bigint;
  domain: TokenDomain;
}

/** A signed payment, ready to be attached to the retried request. */
export interface PaymentHeader {
  /** "PAYMENT-SIGNATURE" for v2 servers, "X-PAYMENT" for v1 and Cronos. */
  name: "PAYMENT-SIGNATURE" | "X-PAYMENT";
  value: string;
  authorization: Authorization;
  signature: Hex;
}

/**
 * Signs the EIP-3009 authorization for `requirement` and encodes it in the server's dialect.
 * The signature is deterministic (RFC 6979), so the same inputs always give the same header:
 * a retry after a crash re-sends byte-identical data.
 */
export async function createPaymentHeader(
  parameters: CreatePaymentHeaderParameters,
): Promise<PaymentHeader> {
  const { account, requirement, nonce, validAfter, validBefore, domain } = parameters;
  if (!account.signTypedData) {
    throw new X402Error("The paying account must be a local account (it signs EIP-712 in process)");
  }
  if (requirement.chainId === null) {
    throw new X402ProtocolError(`cannot sign for non-EVM network ${requirement.network}`);
  }
  const authorization: Authorization = {
    from: account.address,
    to: requirement.payTo,
    value: requirement.amount,
    validAfter: validAfter.toString(),
    validBefore: validBefore.toString(),
    nonce,
  };
  const signature = await account.signTypedData({
    domain: {
      name: domain.name,
      version: domain.version,
      chainId: requirement.chainId,
      verifyingContract: requirement.asset,
    },
    types: authorizationTypes,
    primaryType: "TransferWithAuthorization",
    message: {
      from: authorization.from,
      to: authorization.to,
      value: BigInt(authorization.value),
      validAfter,
      validBefore,
      nonce,
    },
  });

  if (requirement.dialect === "v2") {
    const payload: PaymentPayload = {
      x402Version: 2,
      resource: { url: requirement.resource },
      // The server matches `accepted` against its own list field by field: echo it verbatim.
      accepted: requirement.raw as unknown as PaymentRequirements,
      payload: { authorization, signature },
    };
    return {
      name: "PAYMENT-SIGNATURE",
      value: encodePaymentSignatureHeader(payload),
      authorization,
      signature,
    };
  }
  const network = v1NetworkName(requirement);
  const payload =
    requirement.dialect === "cronos"
      ? { ...authorization, signature, asset: requirement.asset }
      : { authorization, signature };
  const envelope = { x402Version: 1, scheme: requirement.scheme, network, payload };
  return {
    name: "X-PAYMENT",
    // Same base64(JSON) encoding for both versions; the v1 type is only narrower.
    value: encodePaymentSignatureHeader(envelope as unknown as PaymentPayload),
    authorization,
    signature,
  };
}
