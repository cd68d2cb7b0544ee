import { decodePaymentSignatureHeader, encodePaymentRequiredHeader } from "@x402/core/http";
import { authorizationTypes } from "@x402/evm";
import { verifyTypedData } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { describe, expect, test } from "vitest";
import { devnetAccount } from "../../../lib/chain/devnet/devnetAccounts.js";
import { type Authorization, createPaymentHeader } from "../../../lib/x402/createPaymentHeader.js";
import { deriveNonce } from "../../../lib/x402/nonce.js";
import { parsePaymentRequired } from "../../../lib/x402/requirements.js";

const account = privateKeyToAccount(devnetAccount("agent").privateKey);
const USDC_T = "0xc01efAaF7C5C61bEbFAeb358E1161b537b8bC0e0";
const PAY_TO = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";
const url = "https://api.example.test/data";
const nonce = deriveNonce({ runId: "run_h", stepId: "step_h" });
const domain = { name: "Bridged USDC (Stargate)", version: "1" };

const decode = (value: string) => JSON.parse(Buffer.from(value, "base64").toString("utf8"));

async function verify(
  authorization: Readonly<Record<keyof Authorization, string>>,
  signature: `0x${string}`,
  chainId: number,
) {
  return verifyTypedData({
    address: account.address,
    domain: { ...domain, chainId, verifyingContract: USDC_T },
    types: authorizationTypes,
    primaryType: "TransferWithAuthorization",
    message: {
      from: authorization.from as `0x${string}`,
      to: authorization.to as `0x${string}`,
      value: BigInt(authorization.value!),
      validAfter: BigInt(authorization.validAfter!),
      validBefore: BigInt(authorization.validBefore!),
      nonce: authorization.nonce as `0x${string}`,
    },
    signature,
  });
}

describe("createPaymentHeader", () => {
  test("behavior: v2 PAYMENT-SIGNATURE echoes `accepted` verbatim and is byte-identical on re-sign", async () => {
    const { accepts } = parsePaymentRequired({
      headers: new Headers({
        "PAYMENT-REQUIRED": encodePaymentRequiredHeader({
          x402Version: 2,
          resource: { url },
          accepts: [
            {
              scheme: "exact",
              network: "eip155:338",
              amount: "100000",
              asset: USDC_T.toLowerCase(),
              payTo: PAY_TO,
              maxTimeoutSeconds: 60,
              extra: domain,
            },
          ],
        }),
      }),
      body: "",
      url,
    });
    const terms = { nonce, validAfter: 0n, validBefore: 1_900_000_000n, domain };
    const header = await createPaymentHeader({ account, requirement: accepts[0]!, ...terms });
    const again = await createPaymentHeader({ account, requirement: accepts[0]!, ...terms });
    expect(again.value).toBe(header.value);
    expect(header.name).toBe("PAYMENT-SIGNATURE");
    const payload = decodePaymentSignatureHeader(header.value);
    expect(payload.x402Version).toBe(2);
    expect(payload.accepted.asset).toBe(USDC_T.toLowerCase());
    expect(payload.payload.authorization).toEqual({
      from: account.address,
      to: PAY_TO,
      value: "100000",
      validAfter: "0",
      validBefore: "1900000000",
      nonce,
    });
    expect(await verify(header.authorization, header.signature, 338)).toBe(true);
  });

  test("args: v1 X-PAYMENT nests {authorization, signature}; Cronos flattens it with the asset", async () => {
    const entry = {
      scheme: "exact",
      payTo: PAY_TO,
      asset: USDC_T,
      maxAmountRequired: "5000",
      maxTimeoutSeconds: 60,
    };
    const v1 = parsePaymentRequired({
      headers: new Headers(),
      body: JSON.stringify({ x402Version: 1, accepts: [{ ...entry, network: "base-sepolia" }] }),
      url,
    }).accepts[0]!;
    const cronos = parsePaymentRequired({
      headers: new Headers(),
      body: JSON.stringify({ x402Version: 1, accepts: [{ ...entry, network: "cronos-testnet" }] }),
      url,
    }).accepts[0]!;
    const terms = { nonce, validAfter: 0n, validBefore: 1_900_000_000n, domain };

    const v1Header = await createPaymentHeader({ account, requirement: v1, ...terms });
    expect(v1Header.name).toBe("X-PAYMENT");
    const v1Decoded = decode(v1Header.value);
    expect(v1Decoded).toMatchObject({ x402Version: 1, scheme: "exact", network: "base-sepolia" });
    expect(Object.keys(v1Decoded.payload).sort()).toEqual(["authorization", "signature"]);

    const cronosHeader = await createPaymentHeader({ account, requirement: cronos, ...terms });
    expect(cronosHeader.name).toBe("X-PAYMENT");
    const flat = decode(cronosHeader.value);
    expect(flat).toMatchObject({ x402Version: 1, scheme: "exact", network: "cronos-testnet" });
    expect(flat.payload).toEqual({
      from: account.address,
      to: PAY_TO,
      value: "5000",
      validAfter: "0",
      validBefore: "1900000000",
      nonce,
      signature: cronosHeader.signature,
      asset: USDC_T,
    });
    expect(await verify(flat.payload, flat.payload.signature, 338)).toBe(true);
  });
});
