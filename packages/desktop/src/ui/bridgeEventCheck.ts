import { BridgeEvent } from '@multidesk/protocol/bridge';
import { matches } from '@multidesk/protocol/schemaCheck';

/**
 * Whether a frame from the core's events socket is a `BridgeEvent`, checked by code compiled from
 * its schema: under a microsecond, where TypeBox's interpreted `Value.Check` took 40 to 100, once
 * per event, hundreds of times a second in a burst of messages (a tenth of the Messenger's time).
 *
 * The windows' CSP allows no code made at run time, so the build replaces this module with the
 * same check compiled ahead of time (`aheadOfTimeCheck` in vite.config.ts); this one runs in Node.
 */
export const isBridgeEvent = (value: unknown): value is BridgeEvent => matches(BridgeEvent, value);
