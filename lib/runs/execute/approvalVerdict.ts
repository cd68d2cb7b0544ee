import { Action } from "../../actions/schemas.js";
import type { ApprovalRequest } from "../../db/database.js";

/** What an action's stored approval decision allows. */
export type Verdict =
  | { kind: "approved" }
  | { kind: "edited"; action: Action }
  /** `code`: the run's error code, approval_expired for a request nobody decided in time. */
  | { kind: "refused"; reason: string; code: "approval_expired" | "not_approved" };

const expired: Verdict = {
  kind: "refused",
  reason: "The approval request expired before anyone decided",
  code: "approval_expired",
};

/** Reads the stored decision; only an approval (or a validated edit) lets money move. */
export function approvalVerdict(approval: ApprovalRequest | undefined): Verdict {
  if (!approval)
    return {
      kind: "refused",
      reason: "The action needs approval and none was requested",
      code: "not_approved",
    };
  switch (approval.status) {
    case "approved":
      return { kind: "approved" };
    case "edited":
      return {
        kind: "edited",
        action: Action.parse((approval.decision as { action: unknown }).action),
      };
    case "rejected":
      return { kind: "refused", reason: "The approver rejected the action", code: "not_approved" };
    case "expired":
      return expired;
    case "cancelled":
      return {
        kind: "refused",
        reason: "The approval request was cancelled",
        code: "not_approved",
      };
    default:
      return approval.expires_at.getTime() <= Date.now()
        ? expired
        : {
            kind: "refused",
            reason: "The action was attempted before it was approved",
            code: "not_approved",
          };
  }
}
