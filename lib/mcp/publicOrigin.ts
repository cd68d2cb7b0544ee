import { getConfig } from "../config.js";

/** The origin clients reach us at: PUBLIC_BASE_URL when set, else the request's own. */
export function publicOrigin(request: Request): string {
  const configured = getConfig().PUBLIC_BASE_URL;
  return new URL(configured ?? request.url).origin;
}
