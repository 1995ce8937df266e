import type { Rng } from "../../core/random.ts";

/**
 * Same-venue grouping (DOMAIN.md section 4): shuffle the wallets, cut groups of
 * `minSize`..`maxSize` (default 3-5); a trailing group smaller than `minSize` is merged into the
 * one before it. Fewer than `minSize` wallets in all make no group.
 */
export function groupWallets<T>(wallets: readonly T[], rng: Rng, minSize = 3, maxSize = 5): T[][] {
  if (!(Number.isInteger(minSize) && Number.isInteger(maxSize) && minSize >= 2 && maxSize >= minSize)) {
    throw new RangeError(`groupWallets: bad group size range ${minSize}..${maxSize}`);
  }
  const pool = rng.shuffle([...wallets]);
  const groups: T[][] = [];
  let i = 0;
  while (i < pool.length) {
    const size = rng.int(minSize, maxSize);
    groups.push(pool.slice(i, i + size));
    i += size;
  }
  const last = groups.at(-1);
  if (last && last.length < minSize) {
    groups.pop();
    const before = groups.at(-1);
    if (before) before.push(...last);
  }
  return groups;
}
