import { type Money, PICO_PER_USD } from "../../core/money.ts";

/** Exact pico-dollars of a decimal text (the ledger's unit); more than 12 decimals is refused. */
export function moneyOf(text: string, where: string): Money {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) throw new RangeError(`${where}: "${text}" is not a decimal amount`);
  const frac = (m[3] ?? "").replace(/0+$/, "");
  if (frac.length > 12) throw new RangeError(`${where}: "${text}" has more than 12 decimals`);
  const v = BigInt(m[2]) * PICO_PER_USD + BigInt(frac.padEnd(12, "0") || "0");
  return m[1] === "-" ? -v : v;
}
