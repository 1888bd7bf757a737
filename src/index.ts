/**
 * deliverlens as a library. Each capability's entry re-exports its public API; heavy capabilities
 * (DuckDB analytics, mailauth forensics) are reached through their own modules so that importing this
 * entry stays light.
 */
export * from "./bounce/index.ts";
export type { DeliveryEvent, EventType, ParseProblem } from "./events/event.ts";
export { EVENT_TYPES } from "./events/event.ts";
export { FORMATS, type FormatName, isFormatName } from "./events/formats.ts";
export { detectFormat, readEvents } from "./events/index.ts";
export * from "./pipeline/index.ts";
export { renderRecord } from "./report/record-terminal.ts";
