/**
 * Dev-only code and packages no Vercel function may carry (issue 18): the devnet machinery, the
 * embedded database, contract tooling, the page tests' browser, and the repo's non-runtime folders.
 * Paths are relative to the repository root, as @vercel/nft and the import walk report them.
 */
export const devOnlyPaths: readonly RegExp[] = [
  /^lib\/chain\/devnet\//,
  /^dev\//,
  /^tests\//,
  /^contracts\//,
  /^node_modules\/@electric-sql\/pglite\//,
  /^node_modules\/@foundry-rs\//,
  /^node_modules\/@uniswap\//,
  /^node_modules\/@openzeppelin\//,
  /^node_modules\/solc\//,
  /^node_modules\/@sparticuz\//,
  /^node_modules\/playwright-core\//,
];

/** True when a repository-relative path is dev-only. */
export function isDevOnly(relativePath: string): boolean {
  return devOnlyPaths.some((pattern) => pattern.test(relativePath));
}
