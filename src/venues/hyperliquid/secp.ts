/**
 * The connector's secp256k1 and keccak primitives live in wallets/ (the keystore's signer needs
 * them, and wallets sits below venues); this keeps the venue folder's imports and the bench as
 * they were.
 */
export * from "../../wallets/secp256k1.ts";
