export * from "./createPaygentClient.js";
export * from "./PaygentApiError.js";
export * from "./paygentTools.js";
