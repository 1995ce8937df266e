// the forwarding venue lives in core (the engine's request watch extends it too); tests import it here
export { ForwardingVenue } from "../core/forwarding-venue.ts";
