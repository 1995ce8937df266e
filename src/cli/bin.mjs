#!/usr/bin/env node
// The `perpbot` command. perpbot is TypeScript run directly by Node 24 (type stripping): an older
// Node cannot even load bin.ts and fails with ERR_UNKNOWN_FILE_EXTENSION. This shim is plain
// JavaScript, so an old Node gets one line saying what to do instead.
const version = process.versions.node;
if (Number(version.split(".")[0]) < 24) {
  process.stderr.write(`perpbot needs Node 24 (this is Node ${version}): use npx perpbot or npm start\n`);
  process.exit(1);
}
// Node's compile cache (V8's code for perpbot's modules, kept in the system's temp directory;
// NODE_COMPILE_CACHE names another, NODE_DISABLE_COMPILE_CACHE=1 turns it off): every start after
// the first compiles less than half as much. A restarted pool worker then takes less of the CPU
// its peers need to take its units over (docs/deploy.md).
const { enableCompileCache } = await import("node:module");
enableCompileCache?.();
import("./bin.ts");
