import { describe, expect, test } from "vitest";
// The config first: the action schemas and the config import each other (the default action list).
import "../../../../lib/config.js";
import type { ApprovalRequest } from "../../../../lib/db/database.js";
import { approvalVerdict } from "../../../../lib/runs/execute/approvalVerdict.js";

/** What a stored approval lets an action do, and the error code a refusal fails its run with. */
const request = (status: ApprovalRequest["status"], expiresInMs = 60_000) =>
  ({ status, expires_at: new Date(Date.now() + expiresInMs), decision: null }) as ApprovalRequest;

describe("approvalVerdict", () => {
  test("behavior: only an approval lets the action go; an expiry fails with approval_expired, anything else with not_approved", () => {
    expect(approvalVerdict(request("approved"))).toEqual({ kind: "approved" });
    expect(approvalVerdict(request("expired"))).toMatchObject({
      kind: "refused",
      code: "approval_expired",
    });
    // Pending past its expiry (the reconciler had not expired it yet): an expiry too.
    expect(approvalVerdict(request("pending", -1_000))).toMatchObject({
      code: "approval_expired",
    });
    expect(approvalVerdict(request("pending"))).toMatchObject({ code: "not_approved" });
    expect(approvalVerdict(request("rejected"))).toMatchObject({ code: "not_approved" });
    expect(approvalVerdict(request("cancelled"))).toMatchObject({ code: "not_approved" });
    expect(approvalVerdict(undefined)).toMatchObject({ code: "not_approved" });
  });
});
