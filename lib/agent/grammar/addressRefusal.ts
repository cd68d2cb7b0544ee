import { hasValidChecksum } from "../../actions/fields.js";
import type { CommandParseError } from "../errors.js";
import { refuse } from "./refuse.js";

const addressPattern = /^0x[0-9a-fA-F]{40}$/;

/**
 * Why an address must not be used, as the grammar words it, or undefined when it may. Shared by
 * the grammar and the model's answers (lib/actions/<type>/model.ts) so an address the grammar
 * refuses is refused with the same words whoever read it: not 0x and 40 hex digits, a mixed-case
 * address whose EIP-55 checksum does not match (mistyped), and for a recipient the zero address.
 */
export function addressRefusal(
  address: string,
  options: { recipient: boolean },
): CommandParseError | undefined {
  if (!addressPattern.test(address)) {
    return refuse(`"${address}" is not a valid address (expected 0x and 40 hex digits)`, {
      reason: "invalid_recipient",
    });
  }
  if (!hasValidChecksum(address)) {
    return refuse(`${address} has a wrong EIP-55 checksum: it is probably mistyped`, {
      reason: "invalid_recipient",
      suggestions: ["Copy the address again; all-lowercase addresses are accepted as well"],
    });
  }
  if (options.recipient && /^0x0{40}$/i.test(address)) {
    return refuse(`${address} is the zero address: tokens sent there are lost for good`, {
      reason: "invalid_recipient",
    });
  }
  return undefined;
}
