import type { Config } from "../config.js";

/** Variables whose whole value is a credential. */
const secretValues = [
  "UPSTASH_REDIS_REST_TOKEN",
  "KV_REST_API_TOKEN",
  "AGENT_PRIVATE_KEY",
  "FACILITATOR_PRIVATE_KEY",
  "AI_GATEWAY_API_KEY",
  "OPENAI_API_KEY",
  "ANTHROPIC_API_KEY",
  "WEBHOOK_SECRET",
  "CRON_SECRET",
  "PAYGENT_ADMIN_KEY",
] as const satisfies readonly (keyof Config)[];

/** Variables holding a URL that may carry a credential in its user info, path or query. */
const secretUrls = [
  "RPC_URL",
  "X402_FACILITATOR_URL",
  "DATABASE_URL",
  "WORKFLOW_POSTGRES_URL",
  "REDIS_URL",
  "UPSTASH_REDIS_REST_URL",
  "KV_REST_API_URL",
] as const satisfies readonly (keyof Config)[];

/**
 * The parsed config, or process.env itself when the config does not parse (its variables may
 * still reach a log line then).
 */
export type ConfiguredSecretSource = Readonly<
  Partial<Record<(typeof secretValues)[number] | (typeof secretUrls)[number], string | undefined>>
>;

/** Shorter pieces are too likely to be ordinary words ("v2", "rpc") to replace everywhere. */
const minPieceLength = 8;
/**
 * Lower-case words ("postgres", "paygent_app", "cronos-mainnet") name things, and replacing them
 * everywhere would garble the log; keys are not words (digits, capitals, or 16+ letters in a row).
 * A word-like password, such as the local "postgres", is still hidden inside its URL
 * (maskUrlCredentials).
 */
const wordLike = /^[a-z]{1,15}(?:[._-][a-z]{1,15})*$/;

/**
 * The credential strings of this deployment's configuration, longest first, for the log to replace
 * wherever they appear: the whole secret values, and from each configured URL those of its user
 * name, password, path segments and query values that are not plain words (a provider's key sits
 * in any of them, and may also appear outside its URL, e.g. echoed in an error text).
 */
export function configuredSecrets(config: ConfiguredSecretSource): string[] {
  const pieces = new Set<string>();
  for (const name of secretValues) {
    const value = config[name]?.trim();
    if (value && value.length >= minPieceLength) pieces.add(value);
  }
  for (const name of secretUrls) {
    const value = config[name]?.trim();
    if (!value || !URL.canParse(value)) continue;
    const url = new URL(value);
    const candidates = [
      url.username,
      url.password,
      ...url.pathname.split("/"),
      ...[...url.searchParams.values()],
    ];
    for (const candidate of candidates) {
      if (candidate.length < minPieceLength || wordLike.test(candidate)) continue;
      pieces.add(candidate);
      // The URL class keeps the percent-encoded form; an error message may print either.
      pieces.add(safeDecode(candidate));
    }
  }
  return [...pieces].sort((a, b) => b.length - a.length);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
