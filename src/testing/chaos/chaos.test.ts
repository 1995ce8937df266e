import assert from "node:assert/strict";
import { test } from "node:test";
import { runChaos } from "./run.ts";

// The full run (`npm run test:chaos`) kills the engine 200 times; `npm test` runs a short one.
test("chaos: SIGKILL at random instants, the four invariants hold after every restart", {
  timeout: 120_000,
}, async () => {
  const r = await runChaos({ kills: Number(process.env.PERPBOT_CHAOS_KILLS ?? 10), seed: 11 });
  assert.ok(r.checks >= 1, "at least one life got as far as its check");
  assert.deepEqual(
    { a: r.a, b: r.b, c: r.c, d: r.d },
    { a: 0, b: 0, c: 0, d: 0 },
    r.details.slice(0, 10).join("\n"),
  );
});
