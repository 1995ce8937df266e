/**
 * The two holds on orphan handling (STRATEGIES.md §0, "Orphan"): a position on a (venue,
 * account, symbol) key is not taken for an orphan while an entry there is recent (the entry
 * lock: its legs may fill, or their events arrive, after what the reconciler read), nor shortly
 * after a group on that key ended (the post-close quiet: a close's fills, or a venue's position
 * read, may lag behind the close). The group procedures note entries and ends here; the
 * reconciler asks before it alerts, tracks or closes an orphan.
 */
export interface OrphanHoldSettings {
  /** how long after an entry on a key began the key is held (ms; 0: off) */
  readonly orphanEntryLockMs: number;
  /** how long after a group on a key ended the key is held (ms; 0: off) */
  readonly orphanCloseQuietMs: number;
}

export type OrphanHold = "entry_lock" | "after_close";

export class OrphanGuard {
  private readonly settings: OrphanHoldSettings;
  /** key → when the latest entry on it began */
  private readonly entries = new Map<string, number>();
  /** key → when the latest group on it ended */
  private readonly ends = new Map<string, number>();

  constructor(settings: OrphanHoldSettings) {
    this.settings = settings;
  }

  /** An entry (a group open, a scale-up) on these keys begins now. */
  noteEntry(keys: Iterable<string>, now: number): void {
    if (this.settings.orphanEntryLockMs <= 0) return;
    for (const k of keys) this.entries.set(k, now);
  }

  /** A group holding these keys ended (closed, or failed after its unwind) now. */
  noteEnd(keys: Iterable<string>, now: number): void {
    if (this.settings.orphanCloseQuietMs <= 0) return;
    for (const k of keys) this.ends.set(k, now);
  }

  /** Why a position on `key` is not to be treated as an orphan at `now`, or undefined. */
  hold(key: string, now: number): OrphanHold | undefined {
    const entry = this.entries.get(key);
    if (entry !== undefined && now - entry < this.settings.orphanEntryLockMs) return "entry_lock";
    const end = this.ends.get(key);
    if (end !== undefined && now - end < this.settings.orphanCloseQuietMs) return "after_close";
    return undefined;
  }

  /**
   * The longest a key may be held in a row: one entry lock and one quiet after it. A key that is
   * entered and closed again and again (a scalp on a busy pair) would otherwise renew its holds
   * for ever and a real orphan there would never be closed; past this the reconciler treats it
   * like any other.
   */
  get maxHoldMs(): number {
    return this.settings.orphanEntryLockMs + this.settings.orphanCloseQuietMs;
  }

  /** Forget holds that have run out (once a pass: the maps stay as small as the recent activity). */
  prune(now: number): void {
    for (const [k, t] of this.entries) if (now - t >= this.settings.orphanEntryLockMs) this.entries.delete(k);
    for (const [k, t] of this.ends) if (now - t >= this.settings.orphanCloseQuietMs) this.ends.delete(k);
  }
}
