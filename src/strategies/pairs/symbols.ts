import type { Instrument } from "../../core/instrument.ts";
import type { PairsConfig } from "./config.ts";

/**
 * One mapping of every venue's symbols to a canonical base asset (STRATEGIES.md section 0), used
 * by every strategy that pairs venues (farm cross-venue pairs, hedged maker, carry, scalp through
 * pair discovery):
 *
 * - the venue's base: the base the venue publishes (`spec.base`), else read from the symbol's
 *   format: Backpack `SOL_USDC_PERP` (and spot `SOL_USDC`), Binance-style (Aster) `SOLUSDT`,
 *   dashed `SOL-PERP` / `SOL-USD`, or a bare coin (Hyperliquid, Lighter: `SOL`, `kPEPE`);
 * - aliases (venue:symbol, symbol or venue base → canonical), then renamed assets (an old
 *   ticker → its new one), then contract prefixes (`1000PEPE`, `kPEPE` → PEPE × 1000; digits
 *   alone are never stripped: 1INCH stays 1INCH), each with the contract multiplier (units of
 *   the base one contract stands for), which `multipliers` may override per venue:symbol;
 * - the blocklist: canonical bases, venue symbols, and patterns matched against the symbol and
 *   against the venue's base (so `BTC3L_USDC_PERP` is caught by the same `^…3L$` family as
 *   `BTC3LUSDT`), and an allowlist.
 */

/** A venue listing as the mapping reads it. */
export interface SymbolRef {
  readonly venue: string;
  readonly symbol: string;
  /** the venue's published base; undefined: read from the symbol */
  readonly base?: string;
}

export type BlockReason = "blocked_base" | "blocked_symbol" | "blocked_pattern" | "not_allowlisted";

export type Resolved =
  | {
      readonly ok: true;
      /** canonical base, e.g. PEPE */
      readonly base: string;
      /** units of the canonical base one contract stands for */
      readonly multiplier: number;
      /** the venue's own base name, e.g. kPEPE */
      readonly venueBase: string;
    }
  | { readonly ok: false; readonly base: string; readonly reason: BlockReason; readonly detail: string };

const QUOTES = ["USDT", "USDC", "USDE", "FDUSD", "BUSD", "USD"];
const BACKPACK = /^([A-Za-z0-9]+)_([A-Z0-9]+)(?:_PERP)?$/;
const DASHED = /^([A-Za-z0-9]+)-(PERP|USDT|USDC|USD)$/;
const NAME = /^[A-Z][A-Z0-9]*$/;

/** The base and quote a venue symbol names; quote undefined for a bare coin. */
export function parseVenueSymbol(symbol: string): { base: string; quote: string | undefined } {
  const bp = BACKPACK.exec(symbol);
  if (bp) return { base: bp[1], quote: bp[2] };
  const dash = DASHED.exec(symbol);
  if (dash) return { base: dash[1], quote: dash[2] === "PERP" ? undefined : dash[2] };
  for (const q of QUOTES)
    if (symbol.length > q.length && symbol.endsWith(q) && /^[A-Z0-9]+$/.test(symbol))
      return { base: symbol.slice(0, -q.length), quote: q };
  return { base: symbol, quote: undefined };
}

export class SymbolMap {
  readonly config: PairsConfig;
  readonly #prefixes: readonly string[];
  readonly #patterns: readonly { readonly p: string; readonly re: RegExp }[];
  readonly #blockedBases: ReadonlySet<string>;
  readonly #blockedSymbols: ReadonlySet<string>;
  readonly #allow: ReadonlySet<string>;
  /** resolve's answers by venue, symbol and published base (a pure function of those and the config) */
  readonly #resolved = new Map<string, Resolved>();

  constructor(config: PairsConfig) {
    this.config = config;
    // longest first, so "1000000" wins over "1000"
    this.#prefixes = Object.keys(config.prefixes).sort((a, b) => b.length - a.length);
    this.#patterns = config.blocked_patterns.map((p) => ({ p, re: new RegExp(p) }));
    this.#blockedBases = new Set(config.blocked_bases.map((b) => b.toUpperCase()));
    this.#blockedSymbols = new Set(config.blocked_symbols);
    this.#allow = new Set(config.allowlist.map((b) => b.toUpperCase()));
  }

  /** Canonical base and multiplier of a listing, blocked or not. */
  canonical(l: SymbolRef): { base: string; multiplier: number; venueBase: string } {
    const c = this.config;
    const venueBase = l.base ?? parseVenueSymbol(l.symbol).base;
    const explicit = c.multipliers[`${l.venue}:${l.symbol}`] ?? c.multipliers[l.symbol];
    const alias = c.aliases[`${l.venue}:${l.symbol}`] ?? c.aliases[l.symbol] ?? c.aliases[venueBase];
    if (alias !== undefined) return { base: alias, multiplier: explicit ?? 1, venueBase };
    let base = venueBase;
    let multiplier = 1;
    for (const p of this.#prefixes) {
      if (!venueBase.startsWith(p)) continue;
      const rest = venueBase.slice(p.length);
      if (NAME.test(rest)) {
        base = rest;
        multiplier = c.prefixes[p];
        break;
      }
    }
    base = base.toUpperCase();
    const renamed = c.renamed[base];
    return { base: renamed ?? base, multiplier: explicit ?? multiplier, venueBase };
  }

  /** The listing's canonical base and multiplier, or why the blocklist keeps it out. */
  resolve(l: SymbolRef): Resolved {
    const key = `${l.venue}\n${l.symbol}\n${l.base === undefined ? "\u0000" : l.base}`;
    let r = this.#resolved.get(key);
    if (r === undefined) {
      r = this.#resolve(l);
      this.#resolved.set(key, r);
    }
    return r;
  }

  #resolve(l: SymbolRef): Resolved {
    const { base, multiplier, venueBase } = this.canonical(l);
    const no = (reason: BlockReason, detail: string): Resolved => ({ ok: false, base, reason, detail });
    if (this.#blockedBases.has(base)) return no("blocked_base", `base ${base} is in blocked_bases`);
    if (this.#blockedSymbols.has(l.symbol) || this.#blockedSymbols.has(`${l.venue}:${l.symbol}`))
      return no("blocked_symbol", `${l.venue}:${l.symbol} is in blocked_symbols`);
    const hit = this.#patterns.find((x) => x.re.test(l.symbol) || x.re.test(venueBase));
    if (hit) return no("blocked_pattern", `symbol ${l.symbol} matches blocked pattern ${hit.p}`);
    if (this.#allow.size > 0 && !this.#allow.has(base))
      return no("not_allowlisted", `base ${base} is not in the allowlist`);
    return { ok: true, base, multiplier, venueBase };
  }

  /**
   * A venue's listing of a canonical base among its instruments (the first by symbol when it lists
   * it twice), with its multiplier; undefined when it lists none that is not blocked.
   */
  listingOf(
    instruments: readonly Instrument[],
    base: string,
  ): { readonly instrument: Instrument; readonly multiplier: number } | undefined {
    let best: { instrument: Instrument; multiplier: number } | undefined;
    for (const inst of instruments) {
      const r = this.resolve({ venue: inst.venue, symbol: inst.symbol, base: inst.spec.base });
      if (!r.ok || r.base !== base) continue;
      if (best === undefined || inst.symbol < best.instrument.symbol)
        best = { instrument: inst, multiplier: r.multiplier };
    }
    return best;
  }
}
