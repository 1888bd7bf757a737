/** Documents the audit checks rest on, shared by the catalog files. */
export const RFC7208 = "https://www.rfc-editor.org/rfc/rfc7208";
export const RFC9989 = "https://www.rfc-editor.org/rfc/rfc9989";
export const RFC6376 = "https://www.rfc-editor.org/rfc/rfc6376";
export const GMAIL = "https://support.google.com/mail/answer/81126";
export const APPLE = "https://support.apple.com/en-us/102322";
