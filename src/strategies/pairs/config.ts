import { z } from "zod";

/**
 * Pair discovery settings, shared by carry and scalp (STRATEGIES.md section 0, seed 002
 * blocklist.yaml and pairs.yaml). Every instance that trades across venues carries one
 * `pairs` table, so two instances can see different universes.
 */

/** Seed 002 blocklist.yaml bases (STRATEGIES.md section 0). */
export const DEFAULT_BLOCKED_BASES = ["ZKC", "2Z", "DYDX", "XAU", "XAG"] as const;

/**
 * Seed 002 blocklist.yaml regex families, written here from their description: leveraged tokens
 * (3L, 5S, ...) and UP/DOWN tokens (BTCUP, ETHDOWN: three letters or more before UP, so JUP and
 * SUP are not caught). k-tokens are not blocked by default: the `k` prefix is mapped
 * (kPEPE = 1000 PEPE) so they pair with `1000PEPE` listings.
 */
export const DEFAULT_BLOCKED_PATTERNS = [
  "^[A-Z]+[0-9]+[LS](USDT?|USD)?$",
  "^[A-Z]{3,}(UP|DOWN)(USDT?|USD)?$",
];

/**
 * Assets renamed 1:1, old ticker → new, so a venue still listing the old name pairs with one
 * listing the new (facts from the projects' migration announcements: Polygon MATIC → POL, Sept
 * 2024; Render RNDR → RENDER, 2023-24; Fantom FTM → Sonic S, 2025).
 */
export const DEFAULT_RENAMED: Readonly<Record<string, string>> = { MATIC: "POL", RNDR: "RENDER", FTM: "S" };

/** Known contract prefixes: what they mean in units of the base (`1000PEPE`: 1 contract = 1000 PEPE). */
export const DEFAULT_PREFIXES: Readonly<Record<string, number>> = {
  "1000": 1000,
  k: 1000,
  "1000000": 1_000_000,
};

export const pairsSchema = z
  .strictObject({
    aliases: z
      .record(z.string().min(1), z.string().regex(/^[A-Z0-9]+$/, "a canonical base is upper-case, e.g. PEPE"))
      .default({})
      .describe(
        'Venue symbol or published base -> canonical base, for listings no prefix rule maps (e.g. `XBT = "BTC"`).',
      ),
    renamed: z
      .record(
        z.string().regex(/^[A-Z0-9]+$/),
        z.string().regex(/^[A-Z0-9]+$/, "a canonical base is upper-case"),
      )
      .default({ ...DEFAULT_RENAMED })
      .describe(
        "Renamed assets, old ticker -> new (1:1 migrations); applied after prefixes, before pairing.",
      ),
    multipliers: z
      .record(z.string().min(1), z.number().gt(0))
      .default({})
      .describe(
        "Units of the base one contract stands for, by `venue:symbol` or symbol (overrides a prefix's multiplier).",
      ),
    prefixes: z
      .record(z.string().min(1), z.number().gt(0))
      .default({ ...DEFAULT_PREFIXES })
      .describe(
        "Known contract prefixes stripped from a base, with their multiplier (case-sensitive; digits alone are never stripped).",
      ),
    max_mid_divergence_bps: z
      .number()
      .gt(0)
      .default(200)
      .describe(
        "A listing whose mid per base unit is further than this from the median of the other venues is dropped (a wrong mapping or multiplier, or a broken market).",
      ),
    blocked_bases: z
      .array(z.string().min(1))
      .default([...DEFAULT_BLOCKED_BASES])
      .describe("Canonical bases never traded."),
    blocked_patterns: z
      .array(z.string().min(1))
      .default([...DEFAULT_BLOCKED_PATTERNS])
      .describe("Regular expressions over the venue symbol; a match drops the listing."),
    blocked_symbols: z
      .array(z.string().min(1))
      .default([])
      .describe("Venue symbols (`SYMBOL` or `venue:SYMBOL`) never traded."),
    allowlist: z
      .array(z.string().min(1))
      .default([])
      .describe("When not empty, only these canonical bases are traded."),
  })
  .superRefine((c, ctx) => {
    // a pattern that does not compile is a config error at its own path, never a silent skip
    c.blocked_patterns.forEach((p, i) => {
      try {
        new RegExp(p);
      } catch (e) {
        ctx.addIssue({
          code: "custom",
          path: ["blocked_patterns", i],
          message: `regular expression ${JSON.stringify(p)} does not compile: ${(e as Error).message}`,
        });
      }
    });
  });

export type PairsConfig = z.output<typeof pairsSchema>;

export function pairsDefaults(overrides: Partial<z.input<typeof pairsSchema>> = {}): PairsConfig {
  return pairsSchema.parse(overrides);
}
