export * from "./console-format.ts";
export * from "./logger.ts";
export * from "./redact.ts";
