/** The farm's names for the contract's types (src/strategies/contract.ts). */
export type { CloseReason as FarmCloseReason, LegSpec as FarmLegSpec } from "../contract.ts";
