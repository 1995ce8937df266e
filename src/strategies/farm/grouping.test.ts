import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { Rng } from "../../core/random.ts";
import { groupWallets } from "./grouping.ts";

/** The most of `n` wallets that groups of min..max can hold, by brute force over group counts. */
function mostGroupable(n: number, min: number, max: number): number {
  let best = 0;
  for (let k = 1; k * min <= n; k++) best = Math.max(best, Math.min(n, k * max));
  return best;
}

test("property: over 3-1,000 wallets no group is outside min..max, and only what cannot be cut waits", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 3, max: 1000 }),
      fc.integer({ min: 2, max: 40 }),
      fc.integer({ min: 0, max: 38 }),
      fc.integer(),
      (n, min, spread, seed) => {
        const max = Math.min(40, min + spread);
        const ids = Array.from({ length: n }, (_, i) => i);
        const groups = groupWallets(ids, new Rng(seed), min, max);
        for (const g of groups)
          assert.ok(g.length >= min && g.length <= max, `group of ${g.length} (${min}..${max})`);
        const grouped = groups.flat();
        assert.equal(new Set(grouped).size, grouped.length, "a wallet in two groups");
        assert.ok(grouped.every((w) => w >= 0 && w < n));
        assert.equal(grouped.length, mostGroupable(n, min, max), `${n} wallets, ${min}..${max}`);
      },
    ),
    { numRuns: 500 },
  );
});

test("the default 3-5 groups every wallet from 3 up, and sizes vary", () => {
  const rng = new Rng(3);
  const seen = new Set<number>();
  for (let n = 3; n <= 60; n++) {
    const groups = groupWallets(
      Array.from({ length: n }, (_, i) => `w${i}`),
      rng,
    );
    assert.equal(groups.flat().length, n);
    for (const g of groups) {
      assert.ok(g.length >= 3 && g.length <= 5, `n=${n}: group of ${g.length}`);
      seen.add(g.length);
    }
  }
  assert.deepEqual([...seen].sort(), [3, 4, 5]);
  assert.deepEqual(groupWallets(["a", "b"], rng), []);
});

test("4 wallets with sizes 3..3 make one group; the fourth waits for the next round", () => {
  const groups = groupWallets(["a", "b", "c", "d"], new Rng(1), 3, 3);
  assert.equal(groups.length, 1);
  assert.equal(groups[0].length, 3);
});
