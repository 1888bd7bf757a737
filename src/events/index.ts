/** Event sources (MTA logs, ESP webhooks, generic CSV/NDJSON) → normalized DeliveryEvents (parsers only). */
export { detectFormat } from "./detect.ts";
export type { DeliveryEvent, EventType, ParseProblem } from "./event.ts";
export { EVENT_TYPES } from "./event.ts";
export type { FormatName } from "./formats.ts";
export { FORMATS, isFormatName } from "./formats.ts";
export { GENERIC_FIELDS } from "./generic.ts";
export type { Compression, OpenedInput, OpenedSource } from "./input.ts";
export {
  compressionOf,
  decompressedChunks,
  openInput,
  openInputWithHead,
  openSource,
  openSourceStream,
} from "./input.ts";
export { PMTA_ACTION_TYPES, PMTA_DEFAULT_HEADER, PMTA_RECORD_TYPES } from "./pmta.ts";
export type { ReadOptions } from "./read.ts";
export { MAX_LINE, readEventBatches, readEvents } from "./read.ts";
export { EVENT_SOURCES, eventSource } from "./registry.ts";
export { READER_IP_EVENTS, SENDGRID_EVENT_TYPES } from "./sendgrid.ts";
export { isProblem } from "./source.ts";
