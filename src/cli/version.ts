import { readFileSync } from "node:fs";
import { z } from "zod";

/** perpbot's version, from its package.json (a file of its own: commands use it, and program.ts imports the commands). */
export function perpbotVersion(): string {
  const file = new URL("../../package.json", import.meta.url);
  return z.object({ version: z.string().min(1) }).parse(JSON.parse(readFileSync(file, "utf8"))).version;
}
