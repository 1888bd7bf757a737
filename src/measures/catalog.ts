import { ENGAGEMENT_WINDOW_DAYS, SUNSET_DAYS } from "./definitions.ts";

/** One named measure: its id (cited by diagnose evidence), unit and definition (docs/MEASURES.md). */
export interface Measure {
  id: string;
  unit: string;
  definition: string;
}

const W = ENGAGEMENT_WINDOW_DAYS;

/** Every measure, by id. Ids are an interface (diagnose evidence cites them): add, never rename. */
export const MEASURES = {
  sent: {
    id: "sent",
    unit: "messages to recipients",
    definition:
      "A message to a recipient counted once: by the source's per-recipient sent events where its format logs them, else on the day of its first attempt (message id, else campaign and day, else day)",
  },
  delivered: {
    id: "delivered",
    unit: "events",
    definition: "Delivered events (250 accepted by the receiver)",
  },
  deferred_attempts: {
    id: "deferred_attempts",
    unit: "events",
    definition: "Deferral events; every retry counts",
  },
  deferred_recipients: {
    id: "deferred_recipients",
    unit: "recipients per day",
    definition: "Distinct recipients deferred at least once that day",
  },
  bounced: { id: "bounced", unit: "events", definition: "Bounce events (any category)" },
  policy_bounce: {
    id: "policy_bounce",
    unit: "events",
    definition:
      "Bounce events the classifier puts in reputation, content, blocklist or authentication, on the bounce's day",
  },
  policy_bounced_message: {
    id: "policy_bounced_message",
    unit: "messages",
    definition:
      "Messages (as counted by sent) that ended in a policy bounce, dated by the message's send day: the cohort view diagnose compares across segments; it differs from policy_bounce only when a bounce comes on a later day than its send, or a message bounced twice",
  },
  policy_rate: { id: "policy_rate", unit: "fraction 0..1", definition: "policy_bounce / sent" },
  machine_open: {
    id: "machine_open",
    unit: "events",
    definition:
      "Opens flagged machine by the source (sg_machine_open), or read from Apple's egress ranges (--apple-egress) or Apple's 17.0.0.0/8, at every recipient provider (Mail Privacy Protection prefetches any address read in Apple Mail)",
  },
  human_open: { id: "human_open", unit: "events", definition: "Opens that are not machine opens" },
  click: { id: "click", unit: "events", definition: "Click events" },
  human_engagement: { id: "human_engagement", unit: "events", definition: "A click or a human open" },
  engagement_rate: {
    id: "engagement_rate",
    unit: "fraction",
    definition: "(human opens + clicks) / delivered",
  },
  signup_cohort: {
    id: "signup_cohort",
    unit: "recipients",
    definition:
      "Recipients by the month of their first event (first mailed or seen): the list at the start of the data is the first cohort, later signups the others; with engagement_rate per cohort, newer signups engaging less is a list-quality decline",
  },
  engaged: {
    id: "engaged",
    unit: "messages (recipient state at the send)",
    definition: `The recipient had a click or human open in the ${W} days before the send`,
  },
  dormant: {
    id: "dormant",
    unit: "messages (recipient state at the send)",
    definition: `No click or human open in the ${W} days before the send, and the recipient known (first mailed or seen) for at least ${W} days`,
  },
  unknown_history: {
    id: "unknown_history",
    unit: "messages (recipient state at the send)",
    definition: `No click or human open in the ${W} days before the send, but the recipient known for less than ${W} days: too new to call dormant`,
  },
  new_address: {
    id: "new_address",
    unit: "messages (recipient state at the send)",
    definition:
      "A message to a recipient first mailed or seen (its first event in the store) on the send's day: an address new to the program; a spike to mostly new addresses is a list never mailed before (an import)",
  },
  hard_bounced_message: {
    id: "hard_bounced_message",
    unit: "messages",
    definition:
      "Messages (as counted by sent) that ended in a hard bounce — the classifier's category recipient with a permanent reply: the address does not exist — dated by the send day; stats shows the bounce events per day as bouncedByCategory.recipient",
  },
  engagement_tier: {
    id: "engagement_tier",
    unit: "recipients",
    definition:
      "Recipients by days since their last click or human open as of the latest event (or --as-of): 0-30, 31-90, 91-180, 181-365, 365+, never",
  },
  spike: {
    id: "spike",
    unit: "provider days",
    definition: "A day whose sent is far above what the program normally sends (stats thresholds.spikes)",
  },
  send_spike: {
    id: "send_spike",
    unit: "sends (campaign × day)",
    definition:
      "One campaign's messages on one day at least 1.5× the program's usual largest send (the second-largest send of the trailing 28 days), after 14 days of history and with at least 100 messages; diagnose only, for programs that send several campaigns a day",
  },
  episode: {
    id: "episode",
    unit: "runs of provider days",
    definition:
      "Runs of days with at least 3 policy bounces and a policy rate ≥ 0.5 % and ≥ 5× the provider's median (stats thresholds.episodes)",
  },
  suppress: {
    id: "suppress",
    unit: "addresses",
    definition: `Addresses with a suppression reason (hard bounce, complaint, unsubscribe, repeated soft bounce, typo or disposable domain, role account, dormant: known and not engaged for ${SUNSET_DAYS} days, never engaged in 3+ messages), strongest reason first; hygiene counts every provider, diagnose the diagnosed provider's`,
  },
  reengage: {
    id: "reengage",
    unit: "addresses",
    definition: `Addresses last engaged ${W + 1}–${SUNSET_DAYS} days ago and not suppressed: the win-back segment`,
  },
  dmarc_aligned_dkim: {
    id: "dmarc_aligned_dkim",
    unit: "messages (DMARC aggregate reports)",
    definition:
      "Messages that receivers' DMARC aggregate reports count with policy_evaluated dkim = pass (aligned DKIM), per source IP and day (store view dmarc_records); its failing share is 1 − aligned / messages",
  },
} as const satisfies Record<string, Measure>;

export type MeasureId = keyof typeof MEASURES;
