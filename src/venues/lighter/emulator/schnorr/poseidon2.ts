import { canon, type FastFp5, fpMulAddInto } from "./fast-fp5.ts";
import { fp } from "./field.ts";
import {
  EXTERNAL_ROUND_CONSTANTS,
  INTERNAL_DIAGONAL,
  INTERNAL_ROUND_CONSTANTS,
} from "./poseidon2-constants.ts";

/**
 * Poseidon2 over Goldilocks as Lighter uses it (`elliottech/poseidon_crypto`
 * `hash/poseidon2_goldilocks_plonky2`): width 12, rate 8, S-box x^7, 4 + 4 full rounds around 22
 * partial ones (Grassi–Khovratovich–Schofnegger, "Poseidon2", eprint 2023/323). External layer:
 * the 4×4 matrix [[2,3,1,1],[1,2,3,1],[1,1,2,3],[3,1,1,2]] on each block of four, then each lane
 * adds the sum of its column across the three blocks. Internal layer: s_i ← s_i·diag_i + Σs.
 * The sponge overwrites (does not add) the first 8 lanes with each input chunk and permutes;
 * no padding. Own implementation; constants in poseidon2-constants.ts.
 *
 * The state is held as 32-bit halves in doubles (lane i at [2i, 2i+1]), with fast-fp5.ts's
 * exact products; the BigInt API converts at the boundary.
 */

export const WIDTH = 12;
export const RATE = 8;
const FULL_ROUNDS_HALF = 4;

const split = (v: bigint): [number, number] => [Number(v & 0xffffffffn), Number(v >> 32n)];
const EXT_RC = EXTERNAL_ROUND_CONSTANTS.map((row) => row.flatMap(split));
const INT_RC = INTERNAL_ROUND_CONSTANTS.map(split);
const DIAG = INTERNAL_DIAGONAL.flatMap(split);

const tmp: FastFp5 = [0, 0];

/** x^7 of lane i, in place. */
function sbox(s: FastFp5, i: number): void {
  const xl = s[i]!;
  const xh = s[i + 1]!;
  fpMulAddInto(xl, xh, xl, xh, 0, 0, tmp, 0); // x^2
  fpMulAddInto(tmp[0]!, tmp[1]!, xl, xh, 0, 0, tmp, 0); // x^3
  fpMulAddInto(tmp[0]!, tmp[1]!, tmp[0]!, tmp[1]!, 0, 0, tmp, 0); // x^6
  fpMulAddInto(tmp[0]!, tmp[1]!, xl, xh, 0, 0, s, i); // x^7
}

const m4: number[] = new Array(24).fill(0);

function externalLayer(s: FastFp5): void {
  // The 4×4 matrix per block, halves kept unreduced (each < 7·2^32).
  for (let b = 0; b < 24; b += 8) {
    for (let h = 0; h < 2; h++) {
      const a = s[b + h]!;
      const c1 = s[b + 2 + h]!;
      const c2 = s[b + 4 + h]!;
      const d = s[b + 6 + h]!;
      const all = a + c1 + c2 + d;
      m4[b + h] = all + a + 2 * c1;
      m4[b + 2 + h] = all + c1 + 2 * c2;
      m4[b + 4 + h] = all + c2 + 2 * d;
      m4[b + 6 + h] = all + d + 2 * a;
    }
  }
  for (let j = 0; j < 8; j += 2) {
    const colLo = m4[j]! + m4[j + 8]! + m4[j + 16]!;
    const colHi = m4[j + 1]! + m4[j + 9]! + m4[j + 17]!;
    for (let b = 0; b < 24; b += 8) canon(m4[b + j]! + colLo, m4[b + j + 1]! + colHi, s, b + j);
  }
}

function internalLayer(s: FastFp5): void {
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < 24; i += 2) {
    lo += s[i]!;
    hi += s[i + 1]!;
  }
  canon(lo, hi, tmp, 0);
  const sl = tmp[0]!;
  const sh = tmp[1]!;
  for (let i = 0; i < 24; i += 2) fpMulAddInto(s[i]!, s[i + 1]!, DIAG[i]!, DIAG[i + 1]!, sl, sh, s, i);
}

function fullRound(s: FastFp5, round: number): void {
  const rc = EXT_RC[round]!;
  for (let i = 0; i < 24; i += 2) {
    canon(s[i]! + rc[i]!, s[i + 1]! + rc[i + 1]!, s, i);
    sbox(s, i);
  }
  externalLayer(s);
}

function permuteFast(s: FastFp5): void {
  externalLayer(s);
  for (let r = 0; r < FULL_ROUNDS_HALF; r++) fullRound(s, r);
  for (let r = 0; r < INT_RC.length; r++) {
    const [cl, ch] = INT_RC[r]!;
    canon(s[0]! + cl, s[1]! + ch, s, 0);
    sbox(s, 0);
    internalLayer(s);
  }
  for (let r = FULL_ROUNDS_HALF; r < 2 * FULL_ROUNDS_HALF; r++) fullRound(s, r);
}

function setLane(s: FastFp5, i: number, v: bigint): void {
  const c = fp(v);
  s[2 * i] = Number(c & 0xffffffffn);
  s[2 * i + 1] = Number(c >> 32n);
}

const lane = (s: FastFp5, i: number): bigint => (BigInt(s[2 * i + 1]!) << 32n) | BigInt(s[2 * i]!);

/** The permutation, in place, on 12 Fp values. */
export function permute(state: bigint[]): void {
  if (state.length !== WIDTH) throw new Error(`Poseidon2 state has ${WIDTH} lanes, got ${state.length}`);
  const s: FastFp5 = new Array(24);
  for (let i = 0; i < WIDTH; i++) setLane(s, i, state[i]!);
  permuteFast(s);
  for (let i = 0; i < WIDTH; i++) state[i] = lane(s, i);
}

/** Sponge without padding: `count` outputs from any number of inputs (non-canonical ones are read mod p). */
export function hashNToMNoPad(input: readonly bigint[], count: number): bigint[] {
  const s: FastFp5 = new Array(24).fill(0);
  for (let i = 0; i < input.length; i += RATE) {
    for (let j = 0; j < RATE && i + j < input.length; j++) setLane(s, j, input[i + j]!);
    permuteFast(s);
  }
  const out: bigint[] = [];
  for (;;) {
    for (let i = 0; i < RATE; i++) {
      out.push(lane(s, i));
      if (out.length === count) return out;
    }
    permuteFast(s);
  }
}

/** Four outputs: the reference's `HashNToHashNoPad`. */
export function hashNoPad(input: readonly bigint[]): bigint[] {
  return hashNToMNoPad(input, 4);
}

/** Five outputs as an Fp5 element: the reference's `HashToQuinticExtension`, Lighter's message hash. */
export function hashToQuinticExtension(input: readonly bigint[]): [bigint, bigint, bigint, bigint, bigint] {
  const r = hashNToMNoPad(input, 5);
  return [r[0]!, r[1]!, r[2]!, r[3]!, r[4]!];
}
