import { makeGrvtHarness } from "../../testing/grvt-conformance.ts";
import { defineVenueConformance } from "../conformance/suite.ts";

/**
 * The venue conformance suite on the GRVT connector against its protocol emulator, over real
 * HTTP and WebSocket on 127.0.0.1 (src/testing/grvt-conformance.ts).
 */
defineVenueConformance("grvt", () => makeGrvtHarness());
