import type { Draft } from "../../actions/types.js";
import type { Intent } from "../intent.js";
import { listUngrounded } from "../model/listUngrounded.js";
import type { CommandText } from "../model/readCommandText.js";
import type { TokenList } from "../tokens.js";

/**
 * Marks a draft planned from a language model's reading for approval when the reading carries a
 * value the command's text does not: a confused or prompt-injected model can otherwise turn "how's
 * my dough looking" into a transfer under the approval threshold. The model is trusted with the
 * phrasing, never with money the user did not write; a person sees what it read and approves.
 * Reads (balance, discover) move nothing and are left as they are.
 */
export function flagModelReading(
  draft: Draft,
  intent: Intent,
  text: CommandText,
  tokens: TokenList,
): void {
  const values = listUngrounded(intent, draft.action, text, tokens);
  if (values.length === 0) return;
  const why = `Read by the language model, not in the command: ${values.join(", ")}; it needs approval whatever its value`;
  draft.alwaysApprove = draft.alwaysApprove ? `${draft.alwaysApprove}; ${why}` : why;
}
