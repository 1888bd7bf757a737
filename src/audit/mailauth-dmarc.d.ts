// mailauth 7 ships no types for its DMARC record discovery (RFC 9989 tree walk).
declare module "mailauth/lib/dmarc/get-dmarc-record.js" {
  type Resolver = (name: string, rrtype: string) => Promise<unknown>;
  interface DmarcRecord {
    [tag: string]: unknown;
    rr: string;
    isOrgRecord: boolean;
    recordDomain: string;
    orgDomain: string;
  }
  function getDmarcRecord(domain: string, resolver: Resolver): Promise<DmarcRecord | false>;
  export default getDmarcRecord;
}
