export * from "./clock.ts";
export * from "./decimal.ts";
export * from "./errors.ts";
export * from "./instrument.ts";
export * from "./market.ts";
export * from "./money.ts";
export * from "./types.ts";
export * from "./venue.ts";
