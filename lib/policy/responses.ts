import { z } from "zod";
import { timestamp } from "../http/timestamp.js";
import { PolicyDocument } from "./schemas.js";

/** A policy at one version (limits as {amount, token} in whole tokens, like requests). */
export const policyResponse = z.object({
  id: z.string(),
  name: z.string(),
  version: z.number().int(),
  currentVersion: z.number().int(),
  document: PolicyDocument,
  createdAt: timestamp,
  updatedAt: timestamp,
  versionCreatedAt: timestamp,
  versionCreatedBy: z.string().nullable(),
});

/** GET /api/policies. */
export const policyList = z.object({ policies: z.array(policyResponse) });

/** POST /api/policies and PUT /api/policies/{id}: the policy at its new version. */
export const writtenPolicyResponse = z.object({
  id: z.string(),
  version: z.number().int(),
  name: z.string(),
  document: PolicyDocument,
});

/** DELETE /api/policies/{id}. */
export const deletedPolicyResponse = z.object({ id: z.string(), deleted: z.literal(true) });
