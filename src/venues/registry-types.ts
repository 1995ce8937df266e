import type { z } from "zod";
import type { Clock } from "../core/clock.ts";
import type { Venue } from "../core/venue.ts";
import type { AccountIdentity } from "../core/venue-account.ts";
import type { SignerSource } from "../wallets/signer.ts";
import type { VenueDoctor } from "./doctor-types.ts";

/** What a venue factory is given besides its own config. */
export interface VenueDeps {
  readonly clock: Clock;
  /** a file for the venue's durable state, for venues that keep one (the simulator) */
  readonly statePath?: string;
  /** the data directory, for venues that keep files of their own (Hyperliquid's nonce file) */
  readonly dataDir?: string;
}

/** One account a live venue's config lists: the perpbot wallet, its public identity, its key. */
export interface LiveAccountSpec {
  readonly account: string;
  readonly identity: AccountIdentity;
  /** where its signing key sits in the keystore */
  readonly signer: SignerSource;
}

/** How one kind of venue is configured and built; each venue folder exports one. */
export interface VenueFactory<S extends z.ZodType = z.ZodType> {
  readonly kind: string;
  /** the venue's config section (zod: validator and type), parsed before create() */
  readonly configSchema: S;
  /** Live venues: one line on its `[venues.<kind>]` table, for `config show` and the docs. */
  readonly configDoc?: string;
  create(config: z.output<S>, deps: VenueDeps): Venue;
  /** A sandbox run without any `[venues.<kind>]` table reads this venue's public data. */
  readonly sandboxByDefault?: boolean;
  /** Live venues: the accounts the config trades (none: the venue is not configured for a live run). */
  liveAccounts?(config: z.output<S>): readonly LiveAccountSpec[];
  /** Live venues: whether the config trades real money (a live run then asks for a typed confirmation). */
  realMoney?(config: z.output<S>): boolean;
  /** Live venues: the network a run header names (default: "MAINNET" for real money, else "testnet"). */
  network?(config: z.output<S>): string;
  /** Live venues: what in the config does not fit the engine's settings (path: the key at fault). */
  liveProblems?(
    config: z.output<S>,
    engine: { readonly sendExpiryMs: number },
  ): readonly { readonly path: string; readonly message: string }[];
  /** Live venues: the set-up checks of `perpbot doctor` (doctor-types.ts). */
  doctor?: VenueDoctor<z.output<S>>;
}
