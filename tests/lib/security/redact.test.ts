import { HttpRequestError } from "viem";
import { afterEach, describe, expect, test } from "vitest";
import { resetConfig } from "../../../lib/config.js";
import { BaseError } from "../../../lib/errors/index.js";
import { redact } from "../../../lib/log.js";

const privateKey = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5f6c15d7c5b1c7e3d2a1";
const signature = `0x${"ab".repeat(65)}`;
const apiKey = "pgk_Zx3Qk9_vR2-b8sLmN0pQrStUvWxYz0123456789abcd";
const txHash = "0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060";
const alchemyKey = "AbCdEfGh1jKlMnOpQrStUvWxYz012345";
const infuraKey = "9aa3d95b3bc440fa88ea12eaa4456161";

describe("redact", () => {
  test("behavior: secret-named fields are hidden whatever their value", () => {
    expect(
      redact({
        authorization: "Bearer abc",
        "x-paygent-signature": "v1=00",
        WEBHOOK_SECRET: "s",
        privateKey: "k",
        password: "p",
        apiKey: "k",
        api_key: "k",
        cookie: "c",
        "payment-signature": "e30=",
        mnemonic: "test test test",
        accessToken: "abc",
      }),
    ).toEqual({
      authorization: "[redacted]",
      "x-paygent-signature": "[redacted]",
      WEBHOOK_SECRET: "[redacted]",
      privateKey: "[redacted]",
      password: "[redacted]",
      apiKey: "[redacted]",
      api_key: "[redacted]",
      cookie: "[redacted]",
      "payment-signature": "[redacted]",
      mnemonic: "[redacted]",
      accessToken: "[redacted]",
    });
  });

  test("behavior: secrets inside free text are hidden (keys, signatures, Bearer, API keys, URL passwords)", () => {
    const text = [
      `key ${privateKey}`,
      `bare ${privateKey.slice(2)}`,
      `sig ${signature}`,
      "hmac v1=c71efd87453a6d133497677d76694548ed4da5f2a3bacbfa13543b6c94fe6461",
      `header Bearer ${apiKey}`,
      `leaked ${apiKey}`,
      "stripe sk_live_abcdefghijklmnop1234",
      "db postgres://paygent:hunter2@db.example:5432/app",
      "cache rediss://default:AbCd123@eu1.upstash.io:6379",
    ].join("\n");
    const out = redact(text) as string;
    for (const secret of [
      privateKey,
      privateKey.slice(2),
      signature,
      apiKey,
      "hunter2",
      "AbCd123",
      "sk_live_abc",
      "c71efd87",
    ]) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain("postgres://paygent:[redacted]@db.example:5432/app");
  });

  test("behavior: nested objects, arrays and error causes are redacted too", () => {
    const error = new BaseError("payment failed", {
      details: `signer ${privateKey}`,
      cause: new Error(`rpc said Bearer ${apiKey}`),
    });
    const out = JSON.stringify(redact({ error, list: [{ nested: { secret: "x" } }, privateKey] }));
    expect(out).not.toContain(privateKey);
    expect(out).not.toContain(apiKey);
    expect(out).toContain('"secret":"[redacted]"');
    expect(out).toContain("payment failed");
  });

  test("behavior: public data stays readable (tx hashes by name, asset symbols and addresses)", () => {
    expect(
      redact({
        txHash,
        tx_hash: txHash,
        token: "USDC",
        budget_token: "0xc01efAaF7C5C61bEbFAeb358E1161b537b8bC0e0",
        amount: 10n,
        to: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
      }),
    ).toEqual({
      txHash,
      tx_hash: txHash,
      token: "USDC",
      budget_token: "0xc01efAaF7C5C61bEbFAeb358E1161b537b8bC0e0",
      amount: "10",
      to: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
    });
  });

  test("behavior: credential-looking values under a token key, and credential-named token keys, are still hidden", () => {
    expect(
      redact({ token: "apr_0123456789abcdef0123", refreshToken: "USDC", note: `see ${txHash}` }),
    ).toEqual({
      token: "[redacted]",
      refreshToken: "[redacted]",
      // In free text a tx hash cannot be told from a private key: hidden.
      note: "see [redacted]",
    });
  });

  describe("RPC and provider URLs", () => {
    const saved = { RPC_URL: process.env.RPC_URL, WEBHOOK_SECRET: process.env.WEBHOOK_SECRET };
    afterEach(() => {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      resetConfig();
    });

    test("behavior: keys in a URL's path or query are hidden, its origin and readable path stay", () => {
      const out = redact({
        error: new Error(
          `HTTP request failed.\n\nURL: https://cronos-mainnet.g.alchemy.com/v2/${alchemyKey}\nDetails: fetch failed`,
        ),
        url: `https://mainnet.infura.io/v3/${infuraKey}`,
        query:
          "GET https://api.example.com/v1/prices?apikey=s3cr3t&key=k&token=t0k&chain=cronos#access_token=abc",
        webhook: "https://hooks.example.com/services/T0001/B0002/XyZ123abcDEF456ghiJKL789",
      });
      const text = JSON.stringify(out);
      for (const secret of [
        alchemyKey,
        infuraKey,
        "s3cr3t",
        "=k&",
        "t0k",
        "access_token=abc",
        "XyZ123",
      ])
        expect(text).not.toContain(secret);
      expect(out).toMatchObject({
        error: {
          message:
            "HTTP request failed.\n\nURL: https://cronos-mainnet.g.alchemy.com/v2/[redacted]\nDetails: fetch failed",
        },
        url: "https://mainnet.infura.io/v3/[redacted]",
        query:
          "GET https://api.example.com/v1/prices?apikey=[redacted]&key=[redacted]&token=[redacted]&chain=[redacted]#[redacted]",
        webhook: "https://hooks.example.com/services/T0001/B0002/[redacted]",
      });
    });

    test("behavior: a viem HttpRequestError's message, details and URL meta line lose the key", () => {
      // The key also appears bare (echoed by the provider): only the configured RPC_URL names it.
      process.env.RPC_URL = `https://cronos-mainnet.g.alchemy.com/v2/${alchemyKey}`;
      resetConfig();
      const error = new HttpRequestError({
        url: `https://cronos-mainnet.g.alchemy.com/v2/${alchemyKey}?debug=1`,
        status: 401,
        body: { method: "eth_chainId" },
        details: `invalid key ${alchemyKey}`,
      });
      const out = JSON.stringify(redact({ error }));
      expect(out).not.toContain(alchemyKey);
      expect(out).toContain(
        "URL: https://cronos-mainnet.g.alchemy.com/v2/[redacted]?debug=[redacted]",
      );
    });

    test("behavior: the configured RPC_URL's key is hidden wherever it appears, even when no pattern would see it", () => {
      // All letters, under 16 characters in the path: the URL heuristic alone would keep it.
      const key = "qwertyuiopasdfghjklzxcvb";
      process.env.RPC_URL = `https://rpc.example.org/${key}`;
      process.env.WEBHOOK_SECRET = "whsec-plain-letters";
      resetConfig();
      const out = JSON.stringify(
        redact({ message: `provider said: key ${key} is over quota; whsec-plain-letters` }),
      );
      expect(out).not.toContain(key);
      expect(out).not.toContain("whsec-plain-letters");
    });

    test("behavior: ordinary messages and URLs without credentials stay readable", () => {
      const plain = {
        message: "quote failed: https://paid.example.com/api/market-data-premium answered 500",
        local: "HTTP request failed.\n\nURL: http://127.0.0.1:8545/",
        payee: "https://explorer.cronos.org/address/0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
        db: "postgres://paygent:[redacted]@db.example:5432/app",
        prose: "retry in 5 s (attempt 2 of 5): nonce too low",
      };
      expect(redact(plain)).toEqual(plain);
    });
  });
});
