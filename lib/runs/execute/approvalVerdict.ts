import { Action } from "../../actions/schemas.js";
import type { ApprovalRequest } from "../../db/database.js";

/** What an action's stored approval decision allows. */
export type Verdict =
  | { kind: "approved" }
  | { kind: "edited"; action: Action }
  | { kind: "refused"; reason: string };

/** Reads the stored decision; only an approval (or a validated edit) lets money move. */
export function approvalVerdict(approval: ApprovalRequest | undefined): Verdict {
  if (!approval)
    return { kind: "refused", reason: "The action needs approval and none was requested" };
  switch (approval.status) {
    case "approved":
      return { kind: "approved" };
    case "edited":
      return {
        kind: "edited",
        action: Action.parse((approval.decision as { action: unknown }).action),
      };
    case "rejected":
      return { kind: "refused", reason: "The approver rejected the action" };
    case "expired":
      return { kind: "refused", reason: "The approval request expired before anyone decided" };
    case "cancelled":
      return { kind: "refused", reason: "The approval request was cancelled" };
    default:
      return approval.expires_at.getTime() <= Date.now()
        ? { kind: "refused", reason: "The approval request expired before anyone decided" }
        : { kind: "refused", reason: "The action was attempted before it was approved" };
  }
}
