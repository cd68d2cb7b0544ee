import { describe, expect, test } from "vitest";
import { isTrustedWorkflowDelivery } from "../../../lib/security/isTrustedWorkflowDelivery.js";

const queueHeaders = {
  "content-type": "application/json",
  "x-vqs-queue-name": "__wkf_workflow_agentCommand",
  "x-vqs-message-id": "msg_01",
  "x-vqs-message-attempt": "1",
};

describe("isTrustedWorkflowDelivery", () => {
  test("behavior: the worlds' own deliveries (loopback, no proxy headers) are served", () => {
    for (const remoteAddress of ["127.0.0.1", "::1", "::ffff:127.0.0.1", "127.0.0.2"]) {
      expect(
        isTrustedWorkflowDelivery({
          remoteAddress,
          localAddress: "127.0.0.1",
          headers: queueHeaders,
        }),
        remoteAddress,
      ).toBe(true);
    }
    // A host bound to one interface calling itself on that interface.
    expect(
      isTrustedWorkflowDelivery({
        remoteAddress: "192.0.2.10",
        localAddress: "192.0.2.10",
        headers: queueHeaders,
      }),
    ).toBe(true);
  });

  test("error: other peers, and loopback peers behind a reverse proxy, are refused", () => {
    expect(
      isTrustedWorkflowDelivery({
        remoteAddress: "203.0.113.5",
        localAddress: "192.0.2.10",
        headers: queueHeaders,
      }),
    ).toBe(false);
    expect(
      isTrustedWorkflowDelivery({
        remoteAddress: "10.0.0.3",
        localAddress: "10.0.0.2",
        headers: queueHeaders,
      }),
    ).toBe(false);
    expect(
      isTrustedWorkflowDelivery({
        remoteAddress: undefined,
        localAddress: "127.0.0.1",
        headers: {},
      }),
    ).toBe(false);
    for (const header of ["x-forwarded-for", "forwarded", "x-real-ip", "via", "x-forwarded-host"]) {
      expect(
        isTrustedWorkflowDelivery({
          remoteAddress: "127.0.0.1",
          localAddress: "127.0.0.1",
          headers: { ...queueHeaders, [header]: "198.51.100.7" },
        }),
        header,
      ).toBe(false);
    }
  });
});
