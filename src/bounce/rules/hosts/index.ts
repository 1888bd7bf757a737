import type { RuleTable } from "../phrase-rule.ts";
import { AOL_HOST_RULES } from "./aol.ts";
import { APPLE_HOST_RULES } from "./apple.ts";
import { COX_HOST_RULES } from "./cox.ts";
import { FACEBOOK_HOST_RULES } from "./facebook.ts";
import { FRANCEPTT_HOST_RULES } from "./franceptt.ts";
import { GODADDY_HOST_RULES } from "./godaddy.ts";
import { GOOGLE_HOST_RULES } from "./google.ts";
import { GSUITE_HOST_RULES } from "./gsuite.ts";
import { IUA_HOST_RULES } from "./iua.ts";
import { MESSAGELABS_HOST_RULES } from "./messagelabs.ts";
import { MICROSOFT_HOST_RULES } from "./microsoft.ts";
import { MIMECAST_HOST_RULES } from "./mimecast.ts";
import { NTTDOCOMO_HOST_RULES } from "./nttdocomo.ts";
import { OUTLOOK_HOST_RULES } from "./outlook.ts";
import { SPECTRUM_HOST_RULES } from "./spectrum.ts";
import { TENCENT_HOST_RULES } from "./tencent.ts";
import { YAHOOINC_HOST_RULES } from "./yahooinc.ts";

/**
 * Per-provider tables (Sisimai's "rhost"): a host's own meaning of a message or status overrides the
 * standard one, so these come before the generic reason phrases. Scopes rarely overlap; where they do
 * (Microsoft / Outlook.com, Google / Workspace) the more documented table comes first.
 */
export const HOST_TABLES: readonly RuleTable[] = [
  MICROSOFT_HOST_RULES,
  OUTLOOK_HOST_RULES,
  GOOGLE_HOST_RULES,
  GSUITE_HOST_RULES,
  YAHOOINC_HOST_RULES,
  AOL_HOST_RULES,
  APPLE_HOST_RULES,
  COX_HOST_RULES,
  SPECTRUM_HOST_RULES,
  FRANCEPTT_HOST_RULES,
  GODADDY_HOST_RULES,
  MIMECAST_HOST_RULES,
  TENCENT_HOST_RULES,
  MESSAGELABS_HOST_RULES,
  FACEBOOK_HOST_RULES,
  IUA_HOST_RULES,
  NTTDOCOMO_HOST_RULES,
];
