import { PlanError } from "../errors.js";
import type { PlannerContext, ServiceInfo } from "../planner.js";

/** A registered service by name or URL, or a PlanError that suggests searching first. */
export async function lookupService(ctx: PlannerContext, nameOrUrl: string): Promise<ServiceInfo> {
  const service = await ctx.findService(nameOrUrl);
  if (!service) {
    throw new PlanError(`No service called "${nameOrUrl}" is registered`, {
      suggestions: [`Search first, e.g. "find ${nameOrUrl} services"`],
    });
  }
  return service;
}
