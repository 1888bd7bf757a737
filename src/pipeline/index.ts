/**
 * The pipeline: read inputs (files, streams, text, bounce emails, logs, ESP events) → parse them with
 * src/events → classify them with src/bounce → records. The one path `classify`, `ingest` and the library
 * share.
 */
export type { ClassifyEventsOptions } from "./classify-events.ts";
export {
  classifyEventBatch,
  classifyEventStream,
  classifyEvents,
  EventClassifier,
} from "./classify-events.ts";
export type { ClassifyItem, ClassifyOptions } from "./classify-source.ts";
export { chooseFormat, isProblem } from "./classify-source.ts";
export { classifyEmail, classifyFile, classifyStream, classifyText } from "./library.ts";
