import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { revokeApiKey } from "../../../lib/auth/apiKeys.js";
import { assignPolicy } from "../../../lib/auth/assignPolicy.js";
import { createKey } from "../../../lib/auth/createKey.js";
import { ConfigError, resetConfig } from "../../../lib/config.js";
import { createPolicy } from "../../../lib/policy/createPolicy.js";
import { getDefaultPolicy } from "../../../lib/policy/defaultPolicy.js";
import { deletePolicy } from "../../../lib/policy/deletePolicy.js";
import { getPolicy, listPolicies } from "../../../lib/policy/getPolicy.js";
import { resolvePolicy } from "../../../lib/policy/resolvePolicy.js";
import { updatePolicy } from "../../../lib/policy/updatePolicy.js";
import { createTestDb, type TestDb } from "../../helpers/db.js";

let testDb: TestDb;
const saved = { ...process.env };

beforeAll(async () => {
  testDb = await createTestDb("pg");
});

afterEach(() => {
  process.env = { ...saved };
  resetConfig();
});

afterAll(async () => {
  await testDb?.dispose();
});

const document = {
  allowedActions: ["pay", "transfer"],
  maxPerAction: { amount: "25", token: "usdc" },
  windows: [{ period: "hour", maxCount: 3 }],
  approvalThresholdUsd: "10",
  approvals: { required: 2 },
};

describe("policies", () => {
  test("behavior: every change is a new version; old versions stay readable", async () => {
    const created = await createPolicy(testDb.db, {
      name: "ops agents",
      document,
      createdBy: "key_admin",
    });
    expect(created).toMatchObject({ id: expect.stringMatching(/^pol_[0-9a-z]{26}$/), version: 1 });
    // Normalised: token symbols upper-case, defaults filled in.
    expect(created.document.maxPerAction).toEqual({ amount: "25", token: "USDC" });
    expect(created.document.approvals).toEqual({ required: 2, approvers: "assigned" });

    const updated = await updatePolicy(testDb.db, {
      id: created.id,
      document: { ...document, approvalThresholdUsd: "5" },
      updatedBy: "key_other",
    });
    expect(updated.version).toBe(2);
    const current = await getPolicy(testDb.db, { id: created.id });
    expect(current).toMatchObject({
      version: 2,
      currentVersion: 2,
      name: "ops agents",
      versionCreatedBy: "key_other",
    });
    expect(current.document.approvalThresholdUsd).toBe("5");
    const first = await getPolicy(testDb.db, { id: created.id, version: 1 });
    expect(first).toMatchObject({ version: 1, currentVersion: 2, versionCreatedBy: "key_admin" });
    expect(first.document.approvalThresholdUsd).toBe("10");
    expect((await listPolicies(testDb.db)).find((p) => p.id === created.id)?.version).toBe(2);
  });

  test("behavior: concurrent updates take consecutive versions", async () => {
    const { id } = await createPolicy(testDb.db, { document });
    const versions = await Promise.all(
      Array.from({ length: 5 }, () => updatePolicy(testDb.db, { id, document })),
    );
    expect(versions.map((v) => v.version).sort()).toEqual([2, 3, 4, 5, 6]);
  });

  test("error: invalid documents are 400 naming the field; unknown tokens 422 naming the rule", async () => {
    await expect(
      createPolicy(testDb.db, { document: { ...document, surprise: true } }),
    ).rejects.toMatchObject({ status: 400, code: "validation_failed" });
    await expect(
      createPolicy(testDb.db, { document: { allowedActions: ["steal"] } }),
    ).rejects.toMatchObject({ status: 400 });
    await expect(
      createPolicy(testDb.db, { document: { allowedActions: [], windows: [{ period: "day" }] } }),
    ).rejects.toMatchObject({
      status: 400,
      shortMessage: expect.stringContaining("a window needs amount and token, or maxCount"),
    });
    await expect(
      createPolicy(testDb.db, {
        document: { allowedActions: [], maxPerAction: { amount: "1", token: "DOGE" } },
      }),
    ).rejects.toMatchObject({
      status: 422,
      rule: "maxPerAction",
      shortMessage: "maxPerAction: DOGE is not a token on devnet",
    });
    await expect(
      createPolicy(testDb.db, {
        document: {
          allowedActions: [],
          windows: [{ period: "day", amount: "0.0000001", token: "USDC" }],
        },
      }),
    ).rejects.toMatchObject({ status: 422, rule: "windows[0]" });
    await expect(
      updatePolicy(testDb.db, { id: "pol_00000000000000000000000000", document }),
    ).rejects.toMatchObject({ status: 404 });
  });

  test("behavior: a policy in use cannot be deleted; once free it is gone but its versions remain", async () => {
    const { id } = await createPolicy(testDb.db, { document });
    const key = await createKey(testDb.db, { name: "bot", role: "agent", policyId: id });
    const error = await deletePolicy(testDb.db, id).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 409, keyIds: [key.id] });
    await revokeApiKey(testDb.db, key.id);
    expect(await deletePolicy(testDb.db, id)).toEqual({ id });
    await expect(getPolicy(testDb.db, { id })).rejects.toMatchObject({ status: 404 });
    expect((await getPolicy(testDb.db, { id, includeDeleted: true })).version).toBe(1);
    await expect(deletePolicy(testDb.db, id)).rejects.toMatchObject({ status: 404 });
    await expect(
      createKey(testDb.db, { name: "late", role: "agent", policyId: id }),
    ).rejects.toMatchObject({ status: 404 });
  });
});

describe("resolvePolicy and the operator default", () => {
  test("behavior: a key uses its policy's current version, else the operator default", async () => {
    const { id } = await createPolicy(testDb.db, { name: "p", document });
    const key = await createKey(testDb.db, { name: "bot", role: "agent" });
    expect(await resolvePolicy(testDb.db, { keyId: key.id })).toMatchObject({
      id: "default",
      version: null,
      source: "default",
    });
    await assignPolicy(testDb.db, { keyId: key.id, policyId: id });
    await updatePolicy(testDb.db, { id, document });
    expect(await resolvePolicy(testDb.db, { keyId: key.id })).toMatchObject({
      id,
      version: 2,
      source: "key",
      name: "p",
    });
    expect(await resolvePolicy(testDb.db, { keyId: null })).toMatchObject({ id: "default" });
  });

  test("behavior: the built-in default is never unlimited", () => {
    delete process.env.PAYGENT_DEFAULT_POLICY;
    process.env.DEFAULT_APPROVAL_THRESHOLD_USD = "7";
    resetConfig();
    const policy = getDefaultPolicy();
    expect(policy.maxPerAction).toEqual({ amount: "100", token: "USD" });
    expect(policy.windows).toEqual([{ period: "day", amount: "1000", token: "USD" }]);
    expect(policy.approvalThresholdUsd).toBe("7");
    expect(policy.approvals).toEqual({ required: 1, approvers: "any" });
  });

  test("behavior: PAYGENT_DEFAULT_POLICY replaces it, and a bad one stops with a ConfigError naming it", () => {
    process.env.PAYGENT_DEFAULT_POLICY = JSON.stringify({ allowedActions: ["balance"] });
    resetConfig();
    expect(getDefaultPolicy()).toEqual({ allowedActions: ["balance"], windows: [] });
    process.env.PAYGENT_DEFAULT_POLICY = JSON.stringify({
      allowedActions: ["balance"],
      maxPerAction: { amount: "1", token: "NOPE" },
    });
    resetConfig();
    expect(() => getDefaultPolicy()).toThrow(ConfigError);
    try {
      getDefaultPolicy();
    } catch (error) {
      expect((error as ConfigError).message).toContain(
        "PAYGENT_DEFAULT_POLICY: maxPerAction: NOPE is not a token on devnet",
      );
    }
    process.env.PAYGENT_DEFAULT_POLICY = "[1]";
    resetConfig();
    expect(() => getDefaultPolicy()).toThrow(/PAYGENT_DEFAULT_POLICY: must be a JSON object/);
  });
});
