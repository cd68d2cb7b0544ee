import { buildWorkflows } from "../dev/buildWorkflows.js";

/**
 * Builds the workflow bundles once for every test that starts a host process. Hosts then start
 * with DEV_SKIP_WORKFLOW_BUILD, as a deployment would run prebuilt functions.
 */
export default function setup(): void {
  buildWorkflows(process.cwd());
}
