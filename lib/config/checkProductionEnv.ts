import type { Config } from "../config.js";
import { ConfigError } from "./configError.js";
import { findProductionProblems } from "./findProductionProblems.js";
import { ProductionConfigError, type ProductionProblem } from "./productionConfigError.js";

/** The environment as process.env holds it. */
export type Env = Record<string, string | undefined>;

export interface CheckProductionEnvParameters {
  env: Env;
  /**
   * lib/config.ts's parseConfig. Passed in rather than imported so that lib/config.ts can run this
   * check at cold start without an import cycle.
   */
  parseConfig: (env: Env) => Config;
}

export type CheckProductionEnvReturnType =
  | { ok: true; config: Config }
  | { ok: false; error: ProductionConfigError };

/** True where the production check must pass before anything runs: on Vercel or NODE_ENV=production. */
export function isProductionRuntime(env: Env): boolean {
  return env.VERCEL === "1" || env.NODE_ENV?.trim() === "production";
}

/** True on Vercel (it sets VERCEL=1 for builds and functions). */
export function isVercel(env: Env): boolean {
  return env.VERCEL === "1";
}

/**
 * Validates `env` as a production environment: every variable well-formed, and nothing left on an
 * embedded or development default (see findProductionProblems). Malformed and missing variables
 * are reported together, so one message names every variable to set.
 */
export function checkProductionEnv(
  parameters: CheckProductionEnvParameters,
): CheckProductionEnvReturnType {
  const { env, parseConfig } = parameters;
  const problems: ProductionProblem[] = [];
  let config: Config;
  try {
    config = parseConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const issue of error.issues)
      problems.push({ variables: [issue.variable], reason: `is malformed: ${issue.message}` });
    // Judge the rest as if the malformed variables were unset, so their neighbours are reported too.
    const malformed = new Set(error.issues.map((issue) => issue.variable));
    config = parseConfig(
      Object.fromEntries(Object.entries(env).filter(([name]) => !malformed.has(name))),
    );
  }
  const reported = new Set(problems.flatMap((problem) => problem.variables));
  for (const found of findProductionProblems({ config, onVercel: isVercel(env) })) {
    if (!found.variables.some((variable) => reported.has(variable))) problems.push(found);
  }
  return problems.length === 0
    ? { ok: true, config }
    : { ok: false, error: new ProductionConfigError(problems) };
}
