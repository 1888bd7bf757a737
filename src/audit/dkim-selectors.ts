/** Selectors probed when none is given, or in addition to the given ones; ordered, each with who uses it. */
export const COMMON_SELECTORS: readonly { selector: string; usedBy: string; source: string }[] = [
  {
    selector: "default",
    usedBy: "cPanel, Plesk and many self-hosted setups",
    source: "https://docs.cpanel.net/cpanel/email/email-deliverability/",
  },
  {
    selector: "selector1",
    usedBy: "Microsoft 365",
    source: "https://learn.microsoft.com/en-us/defender-office-365/email-authentication-dkim-configure",
  },
  {
    selector: "selector2",
    usedBy: "Microsoft 365",
    source: "https://learn.microsoft.com/en-us/defender-office-365/email-authentication-dkim-configure",
  },
  { selector: "google", usedBy: "Google Workspace", source: "https://support.google.com/a/answer/174124" },
  {
    selector: "s1",
    usedBy: "SendGrid",
    source:
      "https://www.twilio.com/docs/sendgrid/ui/account-and-settings/how-to-set-up-domain-authentication",
  },
  {
    selector: "s2",
    usedBy: "SendGrid",
    source:
      "https://www.twilio.com/docs/sendgrid/ui/account-and-settings/how-to-set-up-domain-authentication",
  },
  {
    selector: "k1",
    usedBy: "Mailchimp / Mandrill",
    source: "https://mailchimp.com/help/set-up-email-domain-authentication/",
  },
  {
    selector: "k2",
    usedBy: "Mailchimp",
    source: "https://mailchimp.com/help/set-up-email-domain-authentication/",
  },
  {
    selector: "mail",
    usedBy: "Generic self-hosted",
    source: "https://www.rfc-editor.org/rfc/rfc6376#section-3.1",
  },
  {
    selector: "dkim",
    usedBy: "Generic self-hosted",
    source: "https://www.rfc-editor.org/rfc/rfc6376#section-3.1",
  },
  {
    selector: "smtp",
    usedBy: "Mailgun (older domains)",
    source: "https://documentation.mailgun.com/docs/mailgun/user-manual/get-started/",
  },
  {
    selector: "mx",
    usedBy: "Mailgun",
    source: "https://documentation.mailgun.com/docs/mailgun/user-manual/get-started/",
  },
  {
    selector: "zoho",
    usedBy: "Zoho Mail",
    source: "https://www.zoho.com/mail/help/adminconsole/dkim-configuration.html",
  },
];
