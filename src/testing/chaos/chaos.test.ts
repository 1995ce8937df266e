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

// The farm in live mode on the Hyperliquid emulator (the runner keeps it alive across kills),
// faults on; `npm run test:chaos:hl` kills it 200 times, `npm test` a few.
test("chaos on Hyperliquid: the farm through the live connector, SIGKILLed, a = b = c = d = 0 and no nonce reused", {
  timeout: 150_000,
}, async () => {
  const r = await runChaos({
    kills: Number(process.env.PERPBOT_CHAOS_HL_KILLS ?? 8),
    seed: 5,
    venue: "hyperliquid",
  });
  assert.ok(r.checks >= 1, "at least one life got as far as its check");
  assert.ok(r.groups >= 1, `the farm opened groups on the emulator (${r.groups})`);
  const faults = Object.values(r.faults).reduce((s, n) => s + n, 0);
  assert.ok(faults >= 1, `the emulator applied faults: ${JSON.stringify(r.faults)}`);
  assert.deepEqual(
    { a: r.a, b: r.b, c: r.c, d: r.d, nonceRefusals: r.nonceRefusals },
    { a: 0, b: 0, c: 0, d: 0, nonceRefusals: 0 },
    r.details.slice(0, 10).join("\n"),
  );
});

// The same on the Lighter emulator, which verifies every transaction's and auth token's Schnorr
// signature; `npm run test:chaos:lighter` kills it 200 times, `npm test` a few.
test("chaos on Lighter: the farm through the live connector, SIGKILLed, a = b = c = d = 0, no nonce reused, no signature refused", {
  timeout: 150_000,
}, async () => {
  const r = await runChaos({
    kills: Number(process.env.PERPBOT_CHAOS_LT_KILLS ?? 8),
    seed: 5,
    venue: "lighter",
  });
  assert.ok(r.checks >= 1, "at least one life got as far as its check");
  assert.ok(r.groups >= 1, `the farm opened groups on the emulator (${r.groups})`);
  const faults = Object.values(r.faults).reduce((s, n) => s + n, 0);
  assert.ok(faults >= 1, `the emulator applied faults: ${JSON.stringify(r.faults)}`);
  assert.deepEqual(
    {
      a: r.a,
      b: r.b,
      c: r.c,
      d: r.d,
      nonceRefusals: r.nonceRefusals,
      signatureRefusals: r.signatureRefusals,
    },
    { a: 0, b: 0, c: 0, d: 0, nonceRefusals: 0, signatureRefusals: 0 },
    r.details.slice(0, 10).join("\n"),
  );
});
