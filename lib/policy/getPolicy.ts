import type { Kysely } from "kysely";
import type { Database } from "../db/database.js";
import { PolicyNotFoundError } from "./errors.js";
import type { PolicyDocument } from "./schemas.js";

/** A policy at one version. */
export interface PolicyView {
  id: string;
  name: string;
  version: number;
  /** The newest version (equal to `version` unless an older one was asked for). */
  currentVersion: number;
  document: PolicyDocument;
  createdAt: Date;
  updatedAt: Date;
  /** When this version was written, and by which key. */
  versionCreatedAt: Date;
  versionCreatedBy: string | null;
}

/**
 * A policy at its current version, or at `version` (decisions record the version they used, so
 * old versions stay readable). Deleted policies are 404 unless `includeDeleted`.
 */
export async function getPolicy(
  db: Kysely<Database>,
  parameters: { id: string; version?: number; includeDeleted?: boolean },
): Promise<PolicyView> {
  const policy = await db
    .selectFrom("policies")
    .selectAll()
    .where("id", "=", parameters.id)
    .executeTakeFirst();
  if (!policy || (policy.deleted_at !== null && !parameters.includeDeleted))
    throw new PolicyNotFoundError(parameters.id);
  const version = parameters.version ?? policy.current_version;
  const row = await db
    .selectFrom("policy_versions")
    .selectAll()
    .where("policy_id", "=", policy.id)
    .where("version", "=", version)
    .executeTakeFirst();
  if (!row) throw new PolicyNotFoundError(`${parameters.id} version ${version}`);
  return {
    id: policy.id,
    name: policy.name,
    version,
    currentVersion: policy.current_version,
    document: row.document as PolicyDocument,
    createdAt: policy.created_at,
    updatedAt: policy.updated_at,
    versionCreatedAt: row.created_at,
    versionCreatedBy: row.created_by,
  };
}

/** Every live policy at its current version, newest first. */
export async function listPolicies(db: Kysely<Database>): Promise<PolicyView[]> {
  const rows = await db
    .selectFrom("policies")
    .innerJoin("policy_versions", (join) =>
      join
        .onRef("policy_versions.policy_id", "=", "policies.id")
        .onRef("policy_versions.version", "=", "policies.current_version"),
    )
    .select([
      "policies.id",
      "policies.name",
      "policies.current_version",
      "policies.created_at",
      "policies.updated_at",
      "policy_versions.document",
      "policy_versions.created_at as version_created_at",
      "policy_versions.created_by",
    ])
    .where("policies.deleted_at", "is", null)
    .orderBy("policies.created_at", "desc")
    .orderBy("policies.id")
    .execute();
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    version: row.current_version,
    currentVersion: row.current_version,
    document: row.document as PolicyDocument,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    versionCreatedAt: row.version_created_at,
    versionCreatedBy: row.created_by,
  }));
}
