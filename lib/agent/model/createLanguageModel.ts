import { createAnthropic } from "@ai-sdk/anthropic";
import { createOpenAI } from "@ai-sdk/openai";
import { createGateway, type LanguageModel } from "ai";
import type { Config } from "../../config.js";

/**
 * The language model configured by the environment, or undefined when none is: the AI Gateway
 * ("provider/model" ids), else OpenAI, else Anthropic. AI_MODEL picks the model.
 */
export function createLanguageModel(
  config: Pick<Config, "AI_GATEWAY_API_KEY" | "OPENAI_API_KEY" | "ANTHROPIC_API_KEY" | "AI_MODEL">,
): LanguageModel | undefined {
  const modelId = config.AI_MODEL;
  const bare = modelId.includes("/") ? modelId.slice(modelId.indexOf("/") + 1) : modelId;
  if (config.AI_GATEWAY_API_KEY)
    return createGateway({ apiKey: config.AI_GATEWAY_API_KEY })(modelId);
  // A direct provider key with another provider's model id falls back to that provider's small model.
  if (config.OPENAI_API_KEY) {
    const id = modelId.startsWith("openai/") || !modelId.includes("/") ? bare : "gpt-4o-mini";
    return createOpenAI({ apiKey: config.OPENAI_API_KEY })(id);
  }
  if (config.ANTHROPIC_API_KEY) {
    const id =
      modelId.startsWith("anthropic/") || !modelId.includes("/") ? bare : "claude-haiku-4-5";
    return createAnthropic({ apiKey: config.ANTHROPIC_API_KEY })(id);
  }
  return undefined;
}
