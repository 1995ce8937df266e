export { catalogInstruments, SIM_A_SPECS, SIM_B_SPECS } from "./catalog.ts";
export { EventLog, toJson } from "./event-log.ts";
export type { SimFaults } from "./faults.ts";
export { liquidationPrice } from "./margin.ts";
export { DEFAULT_CAPABILITIES, type SimVenueOptions } from "./options.ts";
export { SimVenue } from "./sim-venue.ts";
export type { FundingPayment, Sinks } from "./state.ts";
