import assert from "node:assert/strict";
import { test } from "node:test";
import { accountKey, posKey } from "./orders/order-records.ts";

test("posKey and accountKey, kept per input, give the joined strings, each input its own", () => {
  const venues = ["simA", "simB", ""];
  const accounts = ["carry-01", "carry-02", "a\u0000b"];
  const symbols = ["BTC", "ETH", "BTC-PERP"];
  // twice: the first round makes the keys, the second reads the kept ones
  for (let round = 0; round < 2; round++) {
    const seen = new Set<string>();
    for (const v of venues)
      for (const a of accounts) {
        assert.equal(accountKey(v, a), `${v}\u0000${a}`, `round ${round}: ${v} ${a}`);
        for (const s of symbols) {
          const k = posKey(v, a, s);
          assert.equal(k, `${v}\u0000${a}\u0000${s}`, `round ${round}: ${v} ${a} ${s}`);
          seen.add(k);
        }
      }
    assert.equal(seen.size, venues.length * accounts.length * symbols.length);
  }
});
