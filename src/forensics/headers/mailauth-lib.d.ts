/** Types for the mailauth 7 internals inspect reuses (they ship without .d.ts). */
declare module "mailauth/lib/parse-received.js" {
  interface ReceivedPart {
    value: string;
    comment?: string;
  }
  export interface ParsedReceived {
    from?: ReceivedPart;
    by?: ReceivedPart;
    with?: ReceivedPart;
    id?: ReceivedPart;
    for?: ReceivedPart;
    tls?: ReceivedPart;
    timestamp?: string;
    full: string;
    [key: string]: unknown;
  }
  const parser: {
    parseReceived(header: string): ParsedReceived | false;
    getClientAddress(from: ReceivedPart | undefined): string | false;
  };
  export default parser;
}

declare module "mailauth/lib/parse-dkim-headers.js" {
  /** Each method/tag maps to { value, comment?, <ptype>: { <property>: value } } or an array of them. */
  export interface ParsedHeaderFields {
    header: string;
    value?: string;
    [key: string]: unknown;
  }
  const parse: (header: string) => {
    parsed: ParsedHeaderFields;
    original: string;
    tags?: { name: string; value: string }[];
  };
  export default parse;
}
