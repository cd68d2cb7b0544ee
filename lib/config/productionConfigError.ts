import { BaseError } from "../errors/index.js";

/** A production environment that is incomplete or unsafe, named variable by variable. */
export interface ProductionProblem {
  /** Every variable the problem is about. */
  variables: string[];
  /** What to set, when it is more than a list, e.g. "REDIS_URL (or …)"; default: the variables. */
  set?: string;
  /** Why, in a few words. Never the variable's value. */
  reason: string;
}

function nameVariables(problem: ProductionProblem): string {
  return problem.set ?? problem.variables.join(", ");
}

/**
 * Thrown by the production check (`npm run check:env`, and every cold start with VERCEL=1 or
 * NODE_ENV=production): one message naming every variable to set, then one line per problem.
 */
export class ProductionConfigError extends BaseError {
  override name = "ProductionConfigError";
  readonly problems: ProductionProblem[];

  constructor(problems: ProductionProblem[]) {
    super(
      `Refusing a production configuration that is unsafe or incomplete. Set: ${problems.map(nameVariables).join(", ")}`,
      {
        kind: "fatal",
        metaMessages: problems.map((problem) => `- ${nameVariables(problem)}: ${problem.reason}`),
      },
    );
    this.problems = problems;
  }

  /** Every variable named by any problem, in order, without repeats. */
  get variables(): string[] {
    return [...new Set(this.problems.flatMap((problem) => problem.variables))];
  }
}
