/** What a worker pool (pool.ts) records of each takeover and each failed start-up. */

export interface Takeover {
  readonly key: string;
  readonly token: number;
  /** ms from the previous holder's lease expiry (database clock) to this unit trading again */
  readonly sinceExpiryMs: number | undefined;
  /** ms from the previous holder's last renewal (its last sign of life) to this unit trading again */
  readonly sinceRenewalMs: number | undefined;
  /** ms from the lease's expiry (or release) to the balancing tick's read that saw it expired */
  readonly seenLateMs: number | undefined;
  /** ms from that read to the acquiring statement being sent (the tick's earlier acquisitions) */
  readonly queuedMs: number;
  /** ms the acquiring statement took (it waits for the fenced writes in flight on the lease) */
  readonly acquireMs: number;
  /** ms of the start-up (recovery + reconcile) */
  readonly startMs: number;
  /** of the start-up: ms opening the unit's store (connect, schema check) and checking its fence */
  readonly storeOpenMs?: number;
  readonly fenceMs?: number;
  /** the store took a connection opened while the lease ran out (pool.ts `prepare`) */
  readonly standby?: boolean;
  /** the previous holder's token and last renewal (epoch ms, database clock) */
  readonly previousToken: number | undefined;
  readonly previousRenewedAt: number | undefined;
  /**
   * the previous holder's lease expiry (epoch ms, database clock): a whole TTL after its last
   * renewal when it ran out (the holder died or was paused), sooner when it was given back
   */
  readonly previousExpiresAt?: number;
  /** when the unit traded again (epoch ms on the database's clock, within half a round trip) */
  readonly atMs: number;
}

/**
 * A start-up that did not end with the unit trading (its lease lost mid-way, a failed open):
 * whoever takes the unit next counts from this attempt's predecessor (`previousToken`), not
 * from this attempt's own renewals, or the failed attempt would hide the time before it.
 */
export interface FailedStart {
  readonly key: string;
  readonly token: number;
  readonly previousToken: number | undefined;
  readonly previousRenewedAt: number | undefined;
  readonly previousExpiresAt?: number;
  readonly why: string;
}
