import { ClientError } from "../errors/index.js";

/**
 * The wallet or the key is frozen: nothing may move money until an admin unfreezes it. Answered
 * with 423 (code "frozen", kind "refused"). Runs in flight stop at their next gate with this reason.
 */
export class FrozenError extends ClientError {
  override name = "FrozenError";
  /** "wallet", or "key:<id>". */
  readonly target: string;

  constructor(target: string, reason: string | null) {
    const what = target === "wallet" ? "The agent wallet" : `API key ${target.slice(4)}`;
    super(
      "frozen",
      `${what} is frozen${reason ? ` (${reason})` : ""}: no money moves until an admin unfreezes it`,
    );
    this.target = target;
  }
}
