import { Action } from "../../actions/schemas.js";
import type { ApprovalRequest } from "../../db/database.js";

/** The run's error code when an approval does not let its action go. */
export type RefusalCode = "approval_expired" | "not_approved";

/** What an action's stored approval decision allows. */
export type Verdict =
  | { kind: "approved" }
  | { kind: "edited"; action: Action }
  /** `code`: approval_expired for a request nobody decided in time, not_approved otherwise. */
  | { kind: "refused"; reason: string; code: RefusalCode };

const refused = (reason: string, code: RefusalCode = "not_approved"): Verdict => ({
  kind: "refused",
  reason,
  code,
});

const expired = refused("The approval request expired before anyone decided", "approval_expired");

/** Reads the stored decision; only an approval (or a validated edit) lets money move. */
export function approvalVerdict(approval: ApprovalRequest | undefined): Verdict {
  if (!approval) return refused("The action needs approval and none was requested");
  switch (approval.status) {
    case "approved":
      return { kind: "approved" };
    case "edited":
      return {
        kind: "edited",
        action: Action.parse((approval.decision as { action: unknown }).action),
      };
    case "rejected":
      return refused("The approver rejected the action");
    case "expired":
      return expired;
    case "cancelled":
      return refused("The approval request was cancelled");
    default:
      return approval.expires_at.getTime() <= Date.now()
        ? expired
        : refused("The action was attempted before it was approved");
  }
}
