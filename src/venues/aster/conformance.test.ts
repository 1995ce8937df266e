import { makeAsterHarness } from "../../testing/aster-conformance.ts";
import { defineVenueConformance } from "../conformance/suite.ts";

/**
 * The venue conformance suite on the Aster connector against its protocol emulator, over real
 * HTTP and WebSocket on 127.0.0.1 (src/testing/aster-conformance.ts).
 */
defineVenueConformance("aster", () => makeAsterHarness());
