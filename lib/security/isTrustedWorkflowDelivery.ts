import { isLoopbackAddress } from "./assertPublicUrl.js";

/** What the host knows about the connection a workflow endpoint request came in on. */
export interface WorkflowDeliveryPeer {
  /** The socket's remote address (never a header). */
  remoteAddress: string | undefined;
  /** The socket's local address: equal to the remote one when this machine called itself. */
  localAddress: string | undefined;
  /** The raw request headers, before the host adds its own x-real-ip. */
  headers: Record<string, string | string[] | undefined>;
}

/** Headers a reverse proxy adds; the workflow queues (local, Postgres) never send them. */
const proxyHeaders = ["forwarded", "x-forwarded-for", "x-forwarded-host", "x-real-ip", "via"];

/**
 * Whether a request to /.well-known/workflow/v1/* (flow, step, webhook) may be served by a
 * self-hosted host. Neither the local nor the Postgres world lets the application sign or add a
 * header to its queue deliveries, so the endpoints are loopback-only: the peer must be this
 * machine (a loopback address, or the host's own address when it binds a specific interface),
 * and the request must not have passed through a reverse proxy (which would make every public
 * caller look local). A forged queue message from anywhere else is answered 403 unread.
 */
export function isTrustedWorkflowDelivery(peer: WorkflowDeliveryPeer): boolean {
  const remote = peer.remoteAddress;
  if (!remote) return false;
  const local = remote === peer.localAddress || isLoopbackAddress(remote);
  if (!local) return false;
  return !proxyHeaders.some((name) => peer.headers[name] !== undefined);
}
