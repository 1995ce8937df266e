/**
 * Funding, once (STRATEGIES.md section 0): every rate a strategy reads is already per hour, with
 * the instrument's own settlement interval (the venue adapter normalised it); carry never
 * rescales a rate, and per 8 h is only a display and threshold unit (`y_h x 8 x 10^4`).
 *
 * The ledger of one leg keeps the venue's settled payments and, between them, a labelled estimate
 * `-side x qty x mark x r_h x hours since the last settlement` (side +1 long). Accrual is by
 * elapsed time, so the estimate does not depend on how often it is updated (DOMAIN.md section 2).
 */
export const HOUR_MS = 3_600_000;

/** Yield per 8 h in bps of an hourly rate difference (display and thresholds). */
export function per8hBps(ratePerHour: number): number {
  return ratePerHour * 8 * 10_000;
}

export interface LedgerRow {
  readonly venue: string;
  readonly symbol: string;
  readonly intervalHours: number;
  readonly ts: number;
  readonly ratePerHour: number;
  /** signed base units held */
  readonly position: number;
  /** signed USD: negative means the leg paid */
  readonly amountUsd: number;
  readonly kind: "settled" | "estimated";
  /**
   * a settled row: the ledger's estimate this payment replaced (absent in rows saved before it
   * was kept); what carry estimated next to what the venue paid, per settlement
   */
  readonly estimateUsd?: number;
}

export class FundingLedger {
  readonly venue: string;
  readonly symbol: string;
  readonly intervalHours: number;
  /** +1 long, -1 short */
  readonly side: 1 | -1;
  /** base units held: changes at a scale-up or scale-down (resize) */
  qty: number;
  private readonly settledRows: LedgerRow[] = [];
  /** the settled rows' sum, added in their order (what summing them again would give) */
  private settledSum = 0;
  /** the settled rows as JSON, kept until the next settlement (serialised on every check) */
  private settledJson: string | undefined;
  /** accrued since the last settlement (or since the leg opened) */
  private pending = 0;
  private accruedTo: number;

  constructor(o: {
    venue: string;
    symbol: string;
    intervalHours: number;
    side: 1 | -1;
    qty: number;
    openedAt: number;
  }) {
    this.venue = o.venue;
    this.symbol = o.symbol;
    this.intervalHours = o.intervalHours;
    this.side = o.side;
    this.qty = o.qty;
    this.accruedTo = o.openedAt;
  }

  /** Accrue the estimate up to `now` at the rate and mark in force. */
  accrue(now: number, ratePerHour: number, mark: number): void {
    if (now <= this.accruedTo) return;
    if (Number.isFinite(mark) && Number.isFinite(ratePerHour)) {
      const hours = (now - this.accruedTo) / HOUR_MS;
      this.pending += -this.side * this.qty * mark * ratePerHour * hours;
    }
    this.accruedTo = now;
  }

  /**
   * The leg grew or shrank (a scale-up or scale-down): the estimate is accrued up to `now` on the
   * old quantity at the rate and mark in force, then runs on the new one.
   */
  resize(now: number, qty: number, ratePerHour: number, mark: number): void {
    this.accrue(now, ratePerHour, mark);
    this.qty = qty;
  }

  /**
   * A payment the venue settled: the estimate is first accrued up to its time (at the mark given,
   * when there is one), then replaced by it. Returns the estimate it replaced.
   */
  settle(ts: number, amountUsd: number, ratePerHour: number, mark = Number.NaN): number {
    if (Number.isFinite(mark)) this.accrue(ts, ratePerHour, mark);
    const replaced = this.pending;
    this.settledRows.push({
      venue: this.venue,
      symbol: this.symbol,
      intervalHours: this.intervalHours,
      ts,
      ratePerHour,
      position: this.side * this.qty,
      amountUsd,
      kind: "settled",
      estimateUsd: replaced,
    });
    this.settledSum += amountUsd;
    this.settledJson = undefined;
    this.pending = 0;
    if (ts > this.accruedTo) this.accruedTo = ts;
    return replaced;
  }

  /** settled rows so far (they are only ever added) */
  get settledCount(): number {
    return this.settledRows.length;
  }

  get settledUsd(): number {
    return this.settledSum;
  }

  get estimatedUsd(): number {
    return this.pending;
  }

  /**
   * Every estimate the ledger made over the leg's life: those its settlements replaced and the one
   * running since the last settlement; NaN when a settled row does not say what it replaced.
   */
  get estimatedTotalUsd(): number {
    let sum = this.pending;
    for (const r of this.settledRows) sum += r.estimateUsd ?? Number.NaN;
    return sum;
  }

  /** settled plus the estimate since the last settlement: the figure the MTM uses */
  get totalUsd(): number {
    return this.settledUsd + this.pending;
  }

  rows(now: number): LedgerRow[] {
    return [
      ...this.settledRows,
      {
        venue: this.venue,
        symbol: this.symbol,
        intervalHours: this.intervalHours,
        ts: now,
        ratePerHour: Number.NaN,
        position: this.side * this.qty,
        amountUsd: this.pending,
        kind: "estimated",
      },
    ];
  }

  toJSON(): { settled: LedgerRow[]; pending: number; accruedTo: number; qty: number } {
    return { settled: this.settledRows, pending: this.pending, accruedTo: this.accruedTo, qty: this.qty };
  }

  /** JSON.stringify(this.toJSON()), without serialising the settled rows again while they stay */
  toJSONText(): string {
    this.settledJson ??= JSON.stringify(this.settledRows);
    const n = numberText;
    return `{"settled":${this.settledJson},"pending":${n(this.pending)},"accruedTo":${n(this.accruedTo)},"qty":${n(this.qty)}}`;
  }

  /** toJSONText's part that changes only at a settlement or a resize: the settled rows and the quantity */
  settledJSONText(): string {
    this.settledJson ??= JSON.stringify(this.settledRows);
    return `{"settled":${this.settledJson},"qty":${numberText(this.qty)}}`;
  }

  /** toJSONText's part that every accrual changes: the estimate and the time it runs to */
  estimateJSONText(): string {
    return `{"pending":${numberText(this.pending)},"accruedTo":${numberText(this.accruedTo)}}`;
  }

  restore(j: { settled: LedgerRow[]; pending: number; accruedTo: number; qty?: number }): void {
    this.settledRows.splice(0, this.settledRows.length, ...j.settled);
    this.settledSum = 0;
    for (const r of this.settledRows) this.settledSum += r.amountUsd;
    this.settledJson = undefined;
    this.pending = j.pending;
    this.accruedTo = j.accruedTo;
    if (j.qty !== undefined) this.qty = j.qty;
  }
}

/** JSON.stringify of a number: a finite one as String writes it, anything else as null */
function numberText(x: number): string {
  return Number.isFinite(x) ? String(x) : "null";
}
