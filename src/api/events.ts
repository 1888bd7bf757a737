/**
 * `deliverlens/events`: read MTA logs and ESP event exports (Postfix, Exim, PowerMTA, KumoMTA, SendGrid,
 * Mailgun, SES, Postmark, SparkPost, generic CSV/NDJSON) into normalized delivery events, and classify
 * them into bounce records. Functions and types only.
 */
export { detectFormat } from "../events/detect.ts";
export type { DeliveryEvent, EventType } from "../events/event.ts";
export { type FormatName, isFormatName } from "../events/formats.ts";
export { type ReadOptions, readEventBatches, readEvents } from "../events/read.ts";
export {
  type ClassifyEventsOptions,
  classifyEventStream,
  classifyEvents,
  createEventClassifier,
  type EventClassifier,
} from "../pipeline/classify-events.ts";
export type { ParseProblem } from "../util/problem.ts";
