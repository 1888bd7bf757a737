/** One SES bounce notification (one JSON line) for `recipient`, with SES's verdict and the recipient's fields. */
export function sesBounceLine(
  recipient: string,
  verdict: { bounceType: string; bounceSubType: string },
  id: string,
  fields: { action?: string; status?: string; diagnosticCode?: string } = {},
): string {
  return JSON.stringify({
    notificationType: "Bounce",
    bounce: {
      ...verdict,
      bouncedRecipients: [{ emailAddress: recipient, ...fields }],
      timestamp: "2026-01-27T15:00:00.000Z",
      feedbackId: id,
    },
    mail: {
      timestamp: "2026-01-27T14:59:38.237Z",
      source: "john@example.org",
      messageId: `m-${id}`,
      destination: [recipient],
    },
  });
}
