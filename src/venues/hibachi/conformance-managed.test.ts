import { makeHibachiHarness } from "../../testing/hibachi-conformance.ts";
import { defineVenueConformance } from "../conformance/suite.ts";

// the whole suite again with an exchange-managed account: every order and cancel is signed by
// HMAC-SHA256 with the API secret (an HMAC-only signer) and checked by the emulator's verifier
defineVenueConformance("hibachi (managed account)", () => makeHibachiHarness({ managed: true }));
