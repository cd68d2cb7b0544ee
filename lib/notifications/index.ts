export * from "./backoff.js";
export * from "./createEndpoint.js";
export * from "./deliverDueNotifications.js";
export * from "./emitNotification.js";
export * from "./events.js";
export * from "./listDeliveries.js";
export * from "./listEndpoints.js";
export * from "./notifyApprovalRequired.js";
