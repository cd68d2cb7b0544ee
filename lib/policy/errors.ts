import { BaseError, ClientError, type ErrorKind } from "../errors/index.js";

/** No policy has this id (or it was deleted): 404. */
export class PolicyNotFoundError extends ClientError {
  override name = "PolicyNotFoundError";
  constructor(id: string) {
    super("not_found", `Policy ${id} not found`);
  }
}

/** The policy is still assigned to live keys and cannot be deleted: 409 naming them. */
export class PolicyInUseError extends ClientError {
  override name = "PolicyInUseError";
  readonly keyIds: string[];
  constructor(id: string, keyIds: string[]) {
    super("conflict", `Policy ${id} is assigned to ${keyIds.length} key(s); reassign them first`, {
      metaMessages: [`keys: ${keyIds.join(", ")}`],
    });
    this.keyIds = keyIds;
  }
}

/**
 * A request breaks a policy rule it could have respected: a command raising a threshold or a
 * budget, a document naming a token the network does not know. 422, naming the rule.
 */
export class PolicyRuleError extends ClientError {
  override name = "PolicyRuleError";
  /** The rule, as a path in the policy document ("approvalThresholdUsd", "windows[0]"). */
  readonly rule: string;
  constructor(rule: string, message: string) {
    super("unprocessable", message, { metaMessages: [`rule: ${rule}`] });
    this.rule = rule;
  }
}

/**
 * The payee a payment's terms name is one the key's policy refuses (checkPayee). Thrown before
 * anything is signed, so nothing was paid.
 */
export class PayeeRefusedError extends BaseError {
  static override defaultKind: ErrorKind = "refused";
  override name = "PayeeRefusedError";
  /** The rule, as a path in the policy document ("counterparties.deny"). */
  readonly rule: string;
  constructor(rule: string, message: string) {
    super(`${message} (rule ${rule})`);
    this.rule = rule;
  }
}
