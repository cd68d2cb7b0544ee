export * from "./errors.js";
export { type ParseCommandOptions, parseCommand } from "./grammar/parseCommand.js";
export * from "./intent.js";
export {
  loadMemory,
  type RememberRunParameters,
  rememberRun,
  type SessionMemory,
} from "./memory.js";
export { commandFromModel } from "./model/commandFromModel.js";
export { createLanguageModel } from "./model/createLanguageModel.js";
export { interpretWithModel } from "./model/interpretWithModel.js";
export { ModelCommand, type ModelUsage } from "./model/modelCommand.js";
export {
  Action,
  type ActionType,
  type DiscoverFilter,
  type PayAction,
  Plan,
  PlannedAction,
  type SwapAction,
} from "./plan.js";
export { type PlannerContext, planCommand, type ServiceInfo } from "./planner.js";
export type { TokenInfo, TokenList } from "./tokens.js";
export {
  type UnderstandCommandParameters,
  type UnderstoodCommand,
  understandCommand,
} from "./understandCommand.js";
