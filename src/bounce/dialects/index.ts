import { amazonSesJson } from "./amazon-ses-json.ts";
import { arf } from "./arf.ts";
import { automaticAnswer, autoReply } from "./auto-reply.ts";
import { fml } from "./fml.ts";
import { googleGroups } from "./google-groups.ts";
import { mailMarshal } from "./mailmarshal.ts";
import { messageDetails } from "./message-details.ts";
import { plainText } from "./plain-text.ts";
import { rfc3464 } from "./rfc3464.ts";
import type { Dialect } from "./types.ts";
import { unsubscribeRequest } from "./unsubscribe-request.ts";
import { x6 } from "./x6.ts";

export type { Dialect, RecipientReport } from "./types.ts";

/**
 * Ordered: the first dialect that detects the message and yields recipients wins. MTA-specific dialects
 * go before the generic RFC 3464 and plain-text readers, and exist only where those fail.
 */
export const DIALECTS: readonly Dialect[] = [
  arf,
  unsubscribeRequest,
  rfc3464,
  amazonSesJson,
  messageDetails,
  mailMarshal,
  x6,
  googleGroups,
  fml,
  autoReply,
  plainText,
  automaticAnswer,
];
