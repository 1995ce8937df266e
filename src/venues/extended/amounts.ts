/**
 * An order's amounts in the venue's integer units (no I/O), as the settlement signs them. From
 * x10xchange/python_sdk x10/perpetual/order_object_settlement.py `create_order_settlement_data`
 * and amounts.py: synthetic = qty × syntheticResolution, collateral = qty × price ×
 * collateralResolution, both rounded up when buying and down when selling; fee = feeRate × qty ×
 * price × collateralResolution rounded up; then the side paid is negated (a buy pays collateral,
 * a sell pays synthetic). Exact decimal arithmetic on bigints: no float ever touches an amount.
 */

const DECIMAL_RE = /^[0-9]+(\.[0-9]+)?$/;

interface Dec {
  readonly n: bigint;
  readonly scale: number;
}

export function decimal(text: string, field: string): Dec {
  if (!DECIMAL_RE.test(text)) throw new RangeError(`extended: ${field} "${text}" is not a plain decimal`);
  const [whole, frac = ""] = text.split(".") as [string, string?];
  return { n: BigInt(whole + frac), scale: frac.length };
}

function product(parts: readonly Dec[], resolution: bigint): Dec {
  let n = resolution;
  let scale = 0;
  for (const p of parts) {
    n *= p.n;
    scale += p.scale;
  }
  return { n, scale };
}

function toInteger(d: Dec, up: boolean): bigint {
  const div = 10n ** BigInt(d.scale);
  const q = d.n / div;
  return up && q * div !== d.n ? q + 1n : q;
}

export interface AmountInput {
  readonly side: "BUY" | "SELL";
  /** decimal text, e.g. "0.001" */
  readonly qty: string;
  readonly price: string;
  /** the fee rate the order allows, e.g. "0.0005" */
  readonly feeRate: string;
  readonly syntheticResolution: number;
  readonly collateralResolution: number;
}

export interface StarkAmounts {
  readonly base: bigint;
  readonly quote: bigint;
  readonly fee: bigint;
}

export function starkAmounts(a: AmountInput): StarkAmounts {
  const qty = decimal(a.qty, "qty");
  const price = decimal(a.price, "price");
  const feeRate = decimal(a.feeRate, "fee");
  const buy = a.side === "BUY";
  const synRes = BigInt(a.syntheticResolution);
  const colRes = BigInt(a.collateralResolution);
  const base = toInteger(product([qty], synRes), buy);
  const quote = toInteger(product([qty, price], colRes), buy);
  const fee = toInteger(product([feeRate, qty, price], colRes), true);
  return buy ? { base, quote: -quote, fee } : { base: -base, quote, fee };
}
