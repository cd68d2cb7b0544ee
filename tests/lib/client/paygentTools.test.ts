import { generateText, isStepCount } from "ai";
import { MockLanguageModelV4 } from "ai/test";
import { beforeAll, describe, expect, test } from "vitest";
import {
  createPaygentClient,
  type PaygentClient,
} from "../../../lib/client/createPaygentClient.js";
import { PaygentApiError } from "../../../lib/client/PaygentApiError.js";
import { paygentTools } from "../../../lib/client/paygentTools.js";
import { payX402Spec, quoteX402Spec } from "../../../lib/mcp/toolSpecs.js";
import { createKey } from "../../helpers/mcp.js";
import { useHostProcess } from "../../helpers/useHostProcess.js";

const host = useHostProcess();
let client: PaygentClient;
let apiKey: string;

beforeAll(async () => {
  apiKey = await createKey(host, "agent");
  client = createPaygentClient({ baseUrl: host.url, apiKey });
}, 240_000);

const usage = {
  inputTokens: { total: 10, noCache: 10, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 5, text: 5, reasoning: undefined },
};

/** A model that emits the given tool calls, one step each, then a closing text. */
function scriptedModel(calls: { toolName: string; input: unknown }[]): MockLanguageModelV4 {
  const results = [
    ...calls.map((call, index) => ({
      content: [
        {
          type: "tool-call" as const,
          toolCallId: `call_${index}`,
          toolName: call.toolName,
          input: JSON.stringify(call.input),
        },
      ],
      finishReason: { unified: "tool-calls" as const, raw: undefined },
      usage,
      warnings: [],
    })),
    {
      content: [{ type: "text" as const, text: "Done." }],
      finishReason: { unified: "stop" as const, raw: undefined },
      usage,
      warnings: [],
    },
  ];
  return new MockLanguageModelV4({ doGenerate: results });
}

const payments = async (sessionId: string) =>
  (await host.request("GET", `/api/payments?sessionId=${sessionId}`)).body.payments as {
    status: string;
    amount: string;
  }[];

describe("typed client", () => {
  test("behavior: balance, a command followed to completion, discovery and a free quote", async () => {
    const balance = await client.getBalance({ tokens: ["USDC"] });
    expect(balance.balances[0]).toMatchObject({ symbol: "USDC" });

    const accepted = await client.runCommand({ command: "what's my balance" });
    expect(accepted.runId).toMatch(/^run_/);
    const run = await client.getRun({ runId: accepted.runId, waitSeconds: 25 });
    expect(run.status).toBe("completed");

    const found = await client.discoverServices({ category: "market-data" });
    expect(found.services.map((s) => s.id)).toContain("svc_demo_market_data");

    const quote = await client.quoteX402({ url: `${host.url}/api/demo/market-data` });
    expect(quote).toMatchObject({ paymentRequired: true, selected: { amount: "100000" } });
  });

  test("error: Paygent's refusals are PaygentApiError; bad input is refused before any request", async () => {
    const stranger = createPaygentClient({ baseUrl: host.url, apiKey: "pgk_unknown_key_123456" });
    const refused = await stranger.getBalance().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(PaygentApiError);
    expect(refused).toMatchObject({ status: 401, code: "unauthorized", kind: "refused" });

    // A URL that is no x402 resource: the provider's failure, answered 502, never a 500.
    const notPriced = await client
      .quoteX402({ url: `${host.url}/api/no-such-resource` })
      .catch((error: unknown) => error);
    expect(notPriced).toMatchObject({ status: 502, code: "quote_failed" });
    expect((notPriced as PaygentApiError).shortMessage).toMatch(/answered 404/);

    let requests = 0;
    const counting = createPaygentClient({
      baseUrl: host.url,
      apiKey,
      fetch: (input, init) => {
        requests++;
        return fetch(input, init);
      },
    });
    await expect(counting.getRun({ runId: "not-a-run" })).rejects.toThrow(/run id/);
    await expect(
      counting.payX402({ url: "ftp://x", maxAmount: { amount: "1", token: "USDC" } }),
    ).rejects.toThrow();
    expect(requests).toBe(0);
  });
});

describe("paygentTools (ai SDK)", () => {
  test("behavior: a model's quote_x402 then pay_x402 calls quote for free and pay once, with the MCP tools' descriptions", async () => {
    const url = `${host.url}/api/demo/market-data`;
    const model = scriptedModel([
      { toolName: "quote_x402", input: { url, maxAmount: { amount: "0.20", token: "USDC" } } },
      {
        toolName: "pay_x402",
        input: { url, maxAmount: { amount: "0.20", token: "USDC" }, idempotencyKey: "ai-sdk-1" },
      },
    ]);
    const result = await generateText({
      model,
      tools: paygentTools({ baseUrl: host.url, apiKey }),
      prompt: "Buy the market data if it costs at most 0.20 USDC.",
      stopWhen: isStepCount(5),
    });
    const offered = model.doGenerateCalls[0]!.tools!;
    expect(offered.find((t) => t.name === "quote_x402")).toMatchObject({
      description: quoteX402Spec.description,
    });
    expect(offered.find((t) => t.name === "pay_x402")).toMatchObject({
      description: payX402Spec.description,
    });
    expect(offered.map((t) => t.name)).not.toContain("decide_approval");

    const [quoteStep, payStep] = result.steps;
    expect(quoteStep!.toolResults[0]!.output).toMatchObject({ selected: { amount: "100000" } });
    const accepted = payStep!.toolResults[0]!.output as { runId: string; sessionId: string };
    expect(accepted.runId).toMatch(/^run_/);
    expect(result.text).toBe("Done.");

    const run = await client.getRun({ runId: accepted.runId, waitSeconds: 25 });
    expect(run.status).toBe("completed");
    const rows = await payments(accepted.sessionId);
    expect(rows).toEqual([expect.objectContaining({ status: "settled", amount: "100000" })]);
  });

  test("behavior: limits stay in Paygent: a model that asks to pay under the price starts a run that pays nothing", async () => {
    const url = `${host.url}/api/demo/market-data`;
    const model = scriptedModel([
      { toolName: "pay_x402", input: { url, maxAmount: { amount: "0.001", token: "USDC" } } },
    ]);
    const result = await generateText({
      model,
      tools: paygentTools({ baseUrl: host.url, apiKey }),
      prompt: "Pay whatever it takes.",
      stopWhen: isStepCount(3),
    });
    const accepted = result.steps[0]!.toolResults[0]!.output as {
      runId: string;
      sessionId: string;
    };
    const run = await client.getRun({ runId: accepted.runId, waitSeconds: 25 });
    expect(run.status).toBe("failed");
    expect(JSON.stringify(run.error)).toMatch(/above the limit|costs/);
    expect(await payments(accepted.sessionId)).toEqual([]);
  });
});
