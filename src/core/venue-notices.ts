/**
 * What a venue wants the operator to know about the way it runs now, beside its streams' health:
 * a degraded mode it chose (wallets polled instead of streamed, a safety switch the venue refused
 * to arm). Optional on a Venue; the live run stores them where `perpbot status` reads them.
 */
export interface VenueNotice {
  readonly venue: string;
  /** stable per condition, e.g. "user_stream_polled:w11" */
  readonly key: string;
  readonly text: string;
}

export interface VenueNoticeSource {
  notices(): readonly VenueNotice[];
}

/** The notices of a venue that gives them, else none. */
export function noticesOf(venue: object): readonly VenueNotice[] {
  const n = (venue as Partial<VenueNoticeSource>).notices;
  return typeof n === "function" ? n.call(venue) : [];
}
