import { ClientError } from "../errors/index.js";

/** No API key has this id (404). */
export class KeyNotFoundError extends ClientError {
  override name = "KeyNotFoundError";
  constructor(id: string) {
    super("not_found", `API key ${id} not found`);
  }
}

/** The key exists but cannot take this change (wrong role, revoked): 422 naming why. */
export class KeyRoleError extends ClientError {
  override name = "KeyRoleError";
  constructor(message: string) {
    super("unprocessable", message);
  }
}
