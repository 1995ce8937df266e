/**
 * Points a venue reports per wallet (Lighter's `referral/points`): what farming is paid in, shown
 * by `perpbot status` beside the wallet's volume. Optional on a Venue: one that has them keeps
 * the last values it read and gives them without a request. A venue without `keptPoints`
 * publishes no points (Hyperliquid, VENUES.md §1.9: volume only; the simulator).
 */
export interface WalletPointsReport {
  readonly venue: string;
  /** perpbot's wallet id */
  readonly account: string;
  readonly total: number;
  readonly lastWeek: number;
  /** when the venue was read (ms) */
  readonly ts: number;
}

export interface VenuePointsSource {
  keptPoints(): readonly WalletPointsReport[];
}

/** What a report shows for a venue without a points endpoint, instead of a 0. */
export const NO_POINTS = "n/a (venue publishes no points)";

/** Whether the venue has a points endpoint perpbot reads (it implements `keptPoints`). */
export function publishesPoints(venue: object): venue is VenuePointsSource {
  return typeof (venue as Partial<VenuePointsSource>).keptPoints === "function";
}

/** The kept points of a venue that has them, else none. */
export function pointsOf(venue: object): readonly WalletPointsReport[] {
  return publishesPoints(venue) ? venue.keptPoints() : [];
}
