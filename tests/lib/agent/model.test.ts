import { MockLanguageModelV4 } from "ai/test";
import { describe, expect, test } from "vitest";
import { CommandParseError, ModelInterpretationError } from "../../../lib/agent/errors.js";
import { createLanguageModel } from "../../../lib/agent/model/createLanguageModel.js";
import { interpretWithModel } from "../../../lib/agent/model/interpretWithModel.js";
import { understandCommand } from "../../../lib/agent/understandCommand.js";
import { tokens } from "./fixtures.js";

function modelAnswering(text: string, finish: "stop" | "content-filter" = "stop") {
  return new MockLanguageModelV4({
    doGenerate: async () => ({
      content: [{ type: "text", text }],
      finishReason: { unified: finish, raw: undefined },
      usage: {
        inputTokens: { total: 120, noCache: 120, cacheRead: undefined, cacheWrite: undefined },
        outputTokens: { total: 45, text: 45, reasoning: undefined },
      },
      warnings: [],
    }),
  });
}

const swapThenPay = {
  supported: true,
  reason: null,
  steps: [
    {
      kind: "swap",
      tokenIn: "cro",
      tokenOut: "USDC",
      amountIn: "10",
      amountOut: null,
      slippagePercent: "0.5",
      deadlineSeconds: null,
    },
    {
      kind: "pay",
      service: "market data API",
      url: null,
      amount: "0.10",
      maxAmount: null,
      token: "USDC",
    },
  ],
  budget: { amount: null, token: null, usd: "20" },
};

describe("interpretWithModel", () => {
  test("behavior: valid structured output becomes the grammar's Command shape with base units", async () => {
    const model = modelAnswering(JSON.stringify(swapThenPay));
    const { command, usage } = await interpretWithModel({
      text: "yo, flip ten cro into usdc & settle the market data API a dime",
      tokens,
      model,
    });
    expect(command).toEqual({
      steps: [
        {
          kind: "swap",
          tokenIn: "CRO",
          tokenOut: "USDC",
          amountIn: "10000000000000000000",
          slippageBps: 50,
        },
        { kind: "pay", service: "market data API", token: "USDC", amount: "100000" },
      ],
      budget: { usd: "20" },
      understoodBy: "model",
    });
    expect(usage).toEqual({ inputTokens: 120, outputTokens: 45 });
    // The prompt carries the token list so the model can only pick known symbols.
    const call = model.doGenerateCalls[0]!;
    expect(JSON.stringify(call.prompt)).toContain("USDC (6 decimals");
    expect(call.responseFormat?.type).toBe("json");
  });

  test("error: output that is not JSON for the schema", async () => {
    const model = modelAnswering("Sure! I'll swap your CRO.");
    const error = (await interpretWithModel({ text: "flip my cro", tokens, model }).catch(
      (e: unknown) => e,
    )) as ModelInterpretationError;
    expect(error).toBeInstanceOf(ModelInterpretationError);
    expect(error.refused).toBe(false);
    expect(error.usage).toEqual({ inputTokens: 120, outputTokens: 45 });
    await expect(interpretWithModel({ text: "flip my cro", tokens, model })).rejects.toThrow(
      "The language model returned no valid command",
    );
  });

  test("error: schema-valid output with an invalid amount is refused, not coerced", async () => {
    const bad = structuredClone(swapThenPay);
    bad.steps[0]!.amountIn = "1e3";
    const model = modelAnswering(JSON.stringify(bad));
    const error = await interpretWithModel({ text: "x", tokens, model }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandParseError);
    expect((error as CommandParseError).reason).toBe("invalid_amount");
  });

  test("error: the model names a token we do not know", async () => {
    const bad = structuredClone(swapThenPay);
    bad.steps[0]!.tokenIn = "DOGE";
    const error = await interpretWithModel({
      text: "x",
      tokens,
      model: modelAnswering(JSON.stringify(bad)),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandParseError);
    expect((error as Error).message).toContain('Unknown token "DOGE"');
  });

  test("error: both swap amounts is invalid output", async () => {
    const bad: { steps: Array<Record<string, unknown>> } = structuredClone(swapThenPay);
    bad.steps[0]!.amountOut = "5";
    await expect(
      interpretWithModel({ text: "x", tokens, model: modelAnswering(JSON.stringify(bad)) }),
    ).rejects.toThrow("exactly one of the swap's input or output amount");
  });

  test("error: the model says the request is unsupported (refusal)", async () => {
    const model = modelAnswering(
      JSON.stringify({
        supported: false,
        reason: "staking is not supported",
        steps: [],
        budget: null,
      }),
    );
    const error = (await interpretWithModel({ text: "stake it all", tokens, model }).catch(
      (e: unknown) => e,
    )) as ModelInterpretationError;
    expect(error).toBeInstanceOf(ModelInterpretationError);
    expect(error.refused).toBe(true);
    expect(error.shortMessage).toBe("Not understood: staking is not supported");
  });

  test("error: a provider content filter is a refusal", async () => {
    const model = modelAnswering("", "content-filter");
    const error = (await interpretWithModel({ text: "x", tokens, model }).catch(
      (e: unknown) => e,
    )) as ModelInterpretationError;
    expect(error).toBeInstanceOf(ModelInterpretationError);
    expect(error.refused).toBe(true);
  });

  test("error: provider failure is wrapped", async () => {
    const model = new MockLanguageModelV4({
      doGenerate: async () => {
        throw new Error("socket hang up");
      },
    });
    await expect(interpretWithModel({ text: "x", tokens, model })).rejects.toThrow(
      "The language model could not be reached",
    );
  });
});

describe("understandCommand", () => {
  test("behavior: the grammar answers first and the model is not called", async () => {
    const model = modelAnswering(JSON.stringify(swapThenPay));
    const result = await understandCommand({ text: "swap 10 CRO for USDC", tokens, model });
    expect(result.source).toBe("grammar");
    expect(model.doGenerateCalls).toHaveLength(0);
  });

  test("behavior: unrecognised phrasing falls back to the model and reports usage", async () => {
    const model = modelAnswering(JSON.stringify(swapThenPay));
    const result = await understandCommand({
      text: "flip ten cro into usdc and settle up with market data",
      tokens,
      model,
    });
    expect(result.source).toBe("model");
    expect(result.usage).toEqual({ inputTokens: 120, outputTokens: 45 });
    expect(result.command.steps).toHaveLength(2);
  });

  test("behavior: a recognised command with a token typo does not reach the model", async () => {
    const model = modelAnswering(JSON.stringify(swapThenPay));
    await expect(
      understandCommand({ text: "swap 10 CRP for USDC", tokens, model }),
    ).rejects.toThrow("did you mean CRO?");
    expect(model.doGenerateCalls).toHaveLength(0);
  });

  test("error: without a model an unrecognised phrasing is a CommandParseError", async () => {
    await expect(understandCommand({ text: "flip ten cro", tokens })).rejects.toThrow(
      CommandParseError,
    );
  });

  test("behavior: memory references resolve before the model", async () => {
    const model = modelAnswering(JSON.stringify(swapThenPay));
    const result = await understandCommand({
      text: "swap it back",
      tokens,
      model,
      memory: {
        lastSwap: { tokenIn: "CRO", tokenOut: "USDC", amountIn: "1", amountOut: "990000" },
      },
    });
    expect(result.command.steps).toEqual([
      { kind: "swap", tokenIn: "USDC", tokenOut: "CRO", amountIn: "990000" },
    ]);
    expect(model.doGenerateCalls).toHaveLength(0);
  });
});

describe("createLanguageModel", () => {
  const none = {
    AI_GATEWAY_API_KEY: undefined,
    OPENAI_API_KEY: undefined,
    ANTHROPIC_API_KEY: undefined,
  };
  test("args: no key → no model (grammar only)", () => {
    expect(createLanguageModel({ ...none, AI_MODEL: "openai/gpt-4o-mini" })).toBeUndefined();
  });
  test("args: gateway key keeps the provider/model id", () => {
    const model = createLanguageModel({
      ...none,
      AI_GATEWAY_API_KEY: "k",
      AI_MODEL: "anthropic/claude-haiku-4-5",
    });
    expect(typeof model === "object" && model.modelId).toBe("anthropic/claude-haiku-4-5");
  });
  test("args: OpenAI key strips the provider prefix", () => {
    const model = createLanguageModel({
      ...none,
      OPENAI_API_KEY: "k",
      AI_MODEL: "openai/gpt-4o-mini",
    });
    expect(typeof model === "object" && [model.provider, model.modelId]).toEqual([
      "openai.responses",
      "gpt-4o-mini",
    ]);
  });
  test("args: Anthropic key with another provider's id uses a Claude model", () => {
    const model = createLanguageModel({
      ...none,
      ANTHROPIC_API_KEY: "k",
      AI_MODEL: "openai/gpt-4o-mini",
    });
    expect(typeof model === "object" && model.provider).toContain("anthropic");
  });
});
