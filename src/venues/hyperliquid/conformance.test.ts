import { makeHyperliquidHarness } from "../../testing/hyperliquid-conformance.ts";
import { defineVenueConformance } from "../conformance/suite.ts";

/**
 * The venue conformance suite on the Hyperliquid connector against the protocol emulator, over
 * real HTTP and WebSocket on 127.0.0.1 (src/testing/hyperliquid-conformance.ts).
 */
defineVenueConformance("hyperliquid", () => makeHyperliquidHarness());
