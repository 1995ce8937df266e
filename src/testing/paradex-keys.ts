import { randomBytes } from "node:crypto";

/** A random 32-byte Stark private key below the curve order (the top byte kept under 0x04). */
export function randomStarkKey(): Buffer {
  const key = randomBytes(32);
  key[0]! &= 0x03;
  return key;
}
