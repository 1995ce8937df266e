#!/usr/bin/env node
import { reportError } from "./errors.ts";
import { buildProgram, replayVersionArgs } from "./program.ts";

try {
  await buildProgram().parseAsync(replayVersionArgs(process.argv));
} catch (err) {
  process.exitCode = reportError(err);
}
