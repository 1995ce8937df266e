/**
 * Every module's config section, imported for its side effect of registering the section. The
 * CLI, `perpbot init` and `npm run docs:config` import this file, so a module whose section is
 * listed here is validated, shown and documented. Add new sections' modules below. It lives in
 * app/ because it names modules of every layer, which the CLI itself may not import.
 */
import "../config/sections.ts";
import "../venues/sim/config.ts";
import "../venues/registry.ts";
import "../strategies/farm/config.ts";
import "../strategies/instances.ts";
import "../alerts/config.ts";
import "../trades/config.ts";
import "../engine/config.ts";
import "./api-section.ts";
import "./telegram-section.ts";
