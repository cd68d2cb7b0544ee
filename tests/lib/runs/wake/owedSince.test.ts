import type { Event } from "@workflow/world";
import { describe, expect, test } from "vitest";
import { owedSince } from "../../../../lib/runs/wake/resumeStalledRuns.js";

const at = "2026-12-02T10:00:00.000Z";
const event = (eventType: string, eventData: Record<string, unknown> = {}) =>
  ({ eventType, createdAt: new Date(at), eventData }) as unknown as Event;
const deadlineMs = 300_000;

describe("owedSince (the stalled-run guard's reading of a run's newest event)", () => {
  test("behavior: a step started is in flight until the step deadline, then presumed lost", () => {
    expect(owedSince(event("step_started"), deadlineMs)).toEqual(
      new Date("2026-12-02T10:05:00.000Z"),
    );
  });

  test("behavior: with the deadline off, a step started is never owed", () => {
    expect(owedSince(event("step_started"), 0)).toBeUndefined();
  });

  test("behavior: a hook created or an ended run is never owed; a completed step is owed at once", () => {
    for (const type of ["hook_created", "run_completed", "run_failed", "run_cancelled"])
      expect(owedSince(event(type), deadlineMs)).toBeUndefined();
    expect(owedSince(event("step_completed"), deadlineMs)).toEqual(new Date(at));
    expect(owedSince(event("step_created"), deadlineMs)).toEqual(new Date(at));
  });

  test("behavior: a timer is owed from its resumeAt, a retry from its retryAfter", () => {
    const later = "2026-12-02T11:00:00.000Z";
    expect(owedSince(event("wait_created", { resumeAt: later }), deadlineMs)).toEqual(
      new Date(later),
    );
    expect(owedSince(event("step_retrying", { retryAfter: new Date(later) }), deadlineMs)).toEqual(
      new Date(later),
    );
  });
});
