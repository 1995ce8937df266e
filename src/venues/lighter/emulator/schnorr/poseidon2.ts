import { fp, P } from "./field.ts";
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
 */

export const WIDTH = 12;
export const RATE = 8;
const FULL_ROUNDS_HALF = 4;

function sbox(x: bigint): bigint {
  const x2 = (x * x) % P;
  const x3 = (x2 * x) % P;
  const x6 = (x3 * x3) % P;
  return (x6 * x) % P;
}

function externalLayer(s: bigint[]): void {
  for (let i = 0; i < WIDTH; i += 4) {
    const a = s[i]!;
    const b = s[i + 1]!;
    const c = s[i + 2]!;
    const d = s[i + 3]!;
    const all = a + b + c + d;
    s[i] = all + a + 2n * b;
    s[i + 1] = all + b + 2n * c;
    s[i + 2] = all + c + 2n * d;
    s[i + 3] = all + d + 2n * a;
  }
  for (let j = 0; j < 4; j++) {
    const col = s[j]! + s[j + 4]! + s[j + 8]!;
    s[j] = (s[j]! + col) % P;
    s[j + 4] = (s[j + 4]! + col) % P;
    s[j + 8] = (s[j + 8]! + col) % P;
  }
}

function internalLayer(s: bigint[]): void {
  let sum = 0n;
  for (let i = 0; i < WIDTH; i++) sum += s[i]!;
  for (let i = 0; i < WIDTH; i++) s[i] = (s[i]! * INTERNAL_DIAGONAL[i]! + sum) % P;
}

function fullRound(s: bigint[], round: number): void {
  const rc = EXTERNAL_ROUND_CONSTANTS[round]!;
  for (let i = 0; i < WIDTH; i++) s[i] = sbox((s[i]! + rc[i]!) % P);
  externalLayer(s);
}

/** The permutation, in place, on 12 canonical Fp values. */
export function permute(state: bigint[]): void {
  if (state.length !== WIDTH) throw new Error(`Poseidon2 state has ${WIDTH} lanes, got ${state.length}`);
  externalLayer(state);
  for (let r = 0; r < FULL_ROUNDS_HALF; r++) fullRound(state, r);
  for (let r = 0; r < INTERNAL_ROUND_CONSTANTS.length; r++) {
    state[0] = sbox((state[0]! + INTERNAL_ROUND_CONSTANTS[r]!) % P);
    internalLayer(state);
  }
  for (let r = FULL_ROUNDS_HALF; r < 2 * FULL_ROUNDS_HALF; r++) fullRound(state, r);
}

/** Sponge without padding: `count` outputs from any number of inputs (non-canonical ones are read mod p). */
export function hashNToMNoPad(input: readonly bigint[], count: number): bigint[] {
  const state: bigint[] = new Array(WIDTH).fill(0n);
  for (let i = 0; i < input.length; i += RATE) {
    for (let j = 0; j < RATE && i + j < input.length; j++) state[j] = fp(input[i + j]!);
    permute(state);
  }
  const out: bigint[] = [];
  for (;;) {
    for (let i = 0; i < RATE; i++) {
      out.push(state[i]!);
      if (out.length === count) return out;
    }
    permute(state);
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
