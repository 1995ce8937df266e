export * from "./docs.ts";
export * from "./env.ts";
export * from "./errors.ts";
export * from "./load.ts";
export * from "./registry.ts";
export * from "./schema-tree.ts";
export * from "./sections.ts";
export * from "./show.ts";
