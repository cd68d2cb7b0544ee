/** A vote's decision and the args it carries, as a client sent them. */
export interface DecisionArgs {
  decision: "approve" | "reject" | "edit";
  args?: Record<string, unknown> | undefined;
}

/**
 * Why a vote's args do not fit its decision, or undefined when they do. Args travel with an edit
 * only: an approve carrying args was meant as an edit, and approving the held action anyway would
 * move the full amount the approver tried to change. An edit names at least one field.
 */
export function decisionArgsProblem(vote: DecisionArgs): string | undefined {
  if (vote.decision !== "edit") {
    if (vote.args === undefined) return undefined;
    return `args are only taken with decision "edit": send {"decision": "edit", "args": {…}} to change the action, or ${vote.decision} without args`;
  }
  if (vote.args === undefined) return "an edit needs args";
  if (Object.keys(vote.args).length === 0) {
    return 'an edit names at least one field to change, e.g. {"maxAmount": {"amount": "0.5", "token": "USDC"}}';
  }
  return undefined;
}
