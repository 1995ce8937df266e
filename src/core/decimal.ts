import { InvalidValueError } from "./errors.ts";

/**
 * Exact decimal grid arithmetic. A decimal step such as "0.001" is held as an integer number of
 * atoms (10^-decimals); values on that grid are integers counting steps. Nothing here rounds
 * silently: every rounding takes an explicit direction.
 */
export interface DecimalStep {
  /** the step as written, e.g. "0.001" */
  readonly text: string;
  /** digits after the point needed to write any multiple of the step */
  readonly decimals: number;
  /** the step in atoms of 10^-decimals (an integer >= 1) */
  readonly atoms: number;
  /** the step as a float, for analytics only */
  readonly value: number;
}

const DECIMAL_RE = /^(\d+)(?:\.(\d+))?$/;

export function parseStep(text: string, what: string): DecimalStep {
  const m = DECIMAL_RE.exec(text);
  if (!m) throw new InvalidValueError(`${what}: "${text}" is not a positive decimal number`);
  const frac = (m[2] ?? "").replace(/0+$/, "");
  const decimals = frac.length;
  const atoms = Number(m[1]) * 10 ** decimals + (frac === "" ? 0 : Number(frac));
  if (!(atoms > 0) || !Number.isSafeInteger(atoms) || decimals > 15) {
    throw new InvalidValueError(`${what}: "${text}" must be a positive decimal with at most 15 decimals`);
  }
  return { text, decimals, atoms, value: atoms / 10 ** decimals };
}

/** Direction for rounding a raw number onto a grid. */
export type Rounding = "down" | "up" | "nearest";

/**
 * How far (in steps) a float may sit from a grid point and still count as on it: float noise of
 * the division, which grows with the magnitude (about 1e-16 relative), never a real fraction.
 */
export function gridTolerance(steps: number): number {
  return Math.max(1e-9, Math.abs(steps) * 16 * Number.EPSILON);
}

/**
 * Number of steps for a raw float value, rounded as asked. Values within float noise of a grid point
 * (float noise such as 0.1 + 0.2) count as on it, so "down" never loses a whole step to noise.
 */
export function stepsOf(value: number, step: DecimalStep, rounding: Rounding): number {
  if (!Number.isFinite(value)) throw new InvalidValueError(`value ${value} is not a finite number`);
  const q = value / step.value;
  const nearest = Math.round(q);
  if (Math.abs(q - nearest) <= gridTolerance(q)) return nearest;
  if (rounding === "down") return Math.floor(q);
  if (rounding === "up") return Math.ceil(q);
  return nearest;
}

/** True when the float value lies on the grid (within float noise). */
export function isOnGrid(value: number, step: DecimalStep): boolean {
  if (!Number.isFinite(value)) return false;
  const q = value / step.value;
  return Math.abs(q - Math.round(q)) <= gridTolerance(q);
}

/** Parse an exact decimal string to a step count; null when it is not on the grid. */
export function stepsOfText(text: string, step: DecimalStep): number | null {
  const m = DECIMAL_RE.exec(text.startsWith("-") ? text.slice(1) : text);
  if (!m) return null;
  const frac = m[2] ?? "";
  const trimmed = frac.replace(/0+$/, "");
  if (trimmed.length > step.decimals) return null;
  const atoms = Number(m[1]) * 10 ** step.decimals + Number(trimmed.padEnd(step.decimals, "0") || "0");
  if (!Number.isSafeInteger(atoms) || atoms % step.atoms !== 0) return null;
  const n = atoms / step.atoms;
  return text.startsWith("-") ? -n : n;
}

/** Exact decimal text of `steps` grid steps, e.g. steps=12345, step "0.01" -> "123.45". */
export function stepsToText(steps: number, step: DecimalStep): string {
  const neg = steps < 0;
  const atoms = BigInt(Math.abs(steps)) * BigInt(step.atoms);
  let s = atoms.toString();
  if (step.decimals > 0) {
    s = s.padStart(step.decimals + 1, "0");
    const intPart = s.slice(0, s.length - step.decimals);
    const fracPart = s.slice(s.length - step.decimals).replace(/0+$/, "");
    s = fracPart === "" ? intPart : `${intPart}.${fracPart}`;
  }
  return neg ? `-${s}` : s;
}
