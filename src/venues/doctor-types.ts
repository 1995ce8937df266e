import type { Clock } from "../core/clock.ts";
import type { AccountIdentity, AccountSigner } from "../core/venue-account.ts";

/**
 * The contract of `perpbot doctor` (docs/doctor.md) between the command, which knows the config,
 * the keystore and the store, and each venue folder, which knows how to ask its venue. A venue
 * factory that can check its set-up exports a `doctor` function; the command runs it once per
 * configured venue with everything it gathered, and prints the rows it returns.
 */

export type DoctorStatus = "ok" | "warn" | "fail" | "skip";

/** One line of the report. A "fail" always says what to do in `fix`. */
export interface DoctorCheck {
  readonly venue: string;
  /** the perpbot wallet the row is about; null for the venue as a whole */
  readonly wallet: string | null;
  /** short name of the check: "reachable", "clock", "keys", "agent", "balance", "margin BTC", … */
  readonly check: string;
  readonly status: DoctorStatus;
  readonly detail: string;
  /** what to do about a "fail" or "warn" */
  readonly fix?: string;
}

/** One account of a venue as the command prepared it. */
export interface DoctorAccount {
  /** the perpbot wallet */
  readonly account: string;
  /** its public identity from the config (address, vault, …) */
  readonly identity: AccountIdentity;
  /** true when it signs with the wallet's own (master) key rather than an agent key */
  readonly signsAsMaster: boolean;
  /** the decrypted signer; undefined when the key did not decrypt (the "keys" row says why) */
  readonly signer: AccountSigner | undefined;
  /** client order ids of every order perpbot's store holds for this venue and account */
  readonly ownedOrders: ReadonlySet<string>;
  /** per symbol, the signed size perpbot's own filled orders add up to */
  readonly ownedPositions: ReadonlyMap<string, number>;
}

export interface DoctorContext {
  readonly clock: Clock;
  readonly accounts: readonly DoctorAccount[];
  /** the markets the config's strategies trade (base symbols, e.g. "BTC") */
  readonly markets: readonly string[];
  /** the largest accepted difference between the venue's clock and ours */
  readonly maxSkewMs: number;
  /** the data directory (venues that keep files there) */
  readonly dataDir?: string;
}

/** A venue folder's checks: every row for its venue and accounts; never throws for a venue problem. */
export type VenueDoctor<C = unknown> = (config: C, ctx: DoctorContext) => Promise<readonly DoctorCheck[]>;
