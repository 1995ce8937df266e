import type { Rng } from "../../core/random.ts";

/** Whether `n` wallets can be cut into groups of `minSize`..`maxSize` with none left over. */
function cuttable(n: number, minSize: number, maxSize: number): boolean {
  // k groups hold k*min..k*max wallets: some k must reach n
  return n === 0 || Math.ceil(n / maxSize) <= Math.floor(n / minSize);
}

/**
 * Same-venue grouping (docs/farm.md, "Shapes of a group"): shuffle the wallets and cut groups of
 * `minSize`..`maxSize` (default 3-5), each size drawn at random among those that leave a
 * remainder that can still be cut. No group is ever smaller or larger than the bounds: when the
 * wallets cannot all be cut (4 wallets with sizes 3-3), the fewest possible wait for the next
 * round. Fewer than `minSize` wallets in all make no group.
 */
export function groupWallets<T>(wallets: readonly T[], rng: Rng, minSize = 3, maxSize = 5): T[][] {
  if (!(Number.isInteger(minSize) && Number.isInteger(maxSize) && minSize >= 2 && maxSize >= minSize)) {
    throw new RangeError(`groupWallets: bad group size range ${minSize}..${maxSize}`);
  }
  const pool = rng.shuffle([...wallets]);
  let take = pool.length;
  while (!cuttable(take, minSize, maxSize)) take--;
  const groups: T[][] = [];
  let i = 0;
  while (i < take) {
    const left = take - i;
    const sizes: number[] = [];
    for (let s = minSize; s <= Math.min(maxSize, left); s++)
      if (cuttable(left - s, minSize, maxSize)) sizes.push(s);
    const size = rng.pick(sizes);
    groups.push(pool.slice(i, i + size));
    i += size;
  }
  return groups;
}
