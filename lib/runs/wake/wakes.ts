/** Payloads that resume a waiting run. Hooks only wake the run; the database holds the truth. */

/** Sent by POST /api/approvals/{token} after the decision is stored. */
export interface ApprovalWake {
  kind: "approval";
  /** "expire": the reconciler expired a request whose run's own timer never fired. */
  decision: "approve" | "reject" | "edit" | "cancel" | "expire";
}

/** Sent by the chain watcher or POST /api/webhooks/chain when a receipt arrives (or a tx is dropped). */
export interface ChainWake {
  kind: "chain";
  hash: string;
  status: "confirmed" | "reverted" | "dropped";
}

/** Sent by POST /api/webhooks/payment when a facilitator settles later. */
export interface PaymentWake {
  kind: "payment";
  nonce: string;
  status: "settled" | "failed";
  transaction?: string;
}

/** Hook tokens, derived so the notifier can find the waiting run from what it knows. */
export const wakeTokens = {
  chain: (hash: string) => `chain:${hash.toLowerCase()}`,
  payment: (nonce: string) => `payment:${nonce.toLowerCase()}`,
};
