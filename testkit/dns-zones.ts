import type { BlocklistData } from "../src/audit/blocklist-data.ts";
import type { ZoneData } from "../src/dns/zones.ts";
import { type DnsblZoneOptions, dnsblZones } from "./dns-zones-blocklists.ts";

/** Public RSA keys (SubjectPublicKeyInfo, base64) for DKIM key records in test zones. */
export const TEST_RSA_KEYS = {
  512: "MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAM62UtQ+zfbdyZf2e5GI/6a+GAMP7bbOhUPF5rxAEA/0ly2eCet8Sd+2y+Dkoz5IIlVNm3Ymyby8jrwptXStRwMCAwEAAQ==",
  1024: "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDsmt8qSg3IBLK1T1Sh2bh3B2Eq67AIyjl/MNcgdj4hkdsXRtygs+OmxTAqRFEiebVfXcfFdPHdG8JfE+CLw3LolwCzo65+t2/aGOcuHX6O+9w/FwogHjhXyuu0brWgzq3E/5RU1pATtowWQwgLFeKA80gsrmWxO/CP1/uYHa3xmwIDAQAB",
  2048: "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAsPcdStKr73uOORbSl5tEDsYf02GcawOdYOLj1Dvo55Tu/41IQx+pVRtY6dthgBcnJf9Ta73+Ed8NW+vYeiOBk07QhYasIb0eLp2UJ5kovRksaqhnHbLpbW0SKdfENdUgl9BKtjgQHLSuaOWO+eQS4gRY/jN7AuTG6Hym5qBLW/8GiHlL3z6OluRFiLeBDyOSSsyRjl2QG5ohzFpCImpUwD5VBHZP61G3TY3m3gjx22kMo3/645INi8+GO6Ax6zMg3hb6QMTrCo4vcsZG+MfuRQ9xsk1yGFyTNKt7RvwyhhfsH6kUUeXd4Q13XWSFZqPYF2j0XCF1z2eUNGu8PPdi5wIDAQAB",
} as const;

export const CLEAN_DOMAIN = "clean.test";
export const CLEAN_IPS = ["192.0.2.1", "192.0.2.2", "192.0.2.3"];
export const BROKEN_DOMAIN = "broken.test";
/** Has no PTR, is not authorized by broken.test's SPF, and is listed on Spamhaus ZEN (SBL). */
export const BROKEN_IP = "203.0.113.9";

/** A domain that passes every check: SPF -all via an include, DMARC reject with rua, a 2048-bit key, FCrDNS. */
export function cleanDomainZones(): ZoneData {
  const zones: ZoneData = {
    "clean.test": {
      A: ["192.0.2.80"],
      MX: [{ exchange: "mx1.clean.test", priority: 10 }],
      TXT: ["v=spf1 ip4:192.0.2.0/28 include:_spf.esp.test -all", "google-site-verification=abc"],
    },
    "_spf.esp.test": { TXT: ["v=spf1 ip4:198.51.100.0/24 -all"] },
    "mx1.clean.test": { A: ["192.0.2.25"] },
    "_dmarc.clean.test": { TXT: ["v=DMARC1; p=reject; rua=mailto:dmarc@clean.test; adkim=s"] },
    "s1._domainkey.clean.test": { TXT: [`v=DKIM1; k=rsa; p=${TEST_RSA_KEYS[2048]}`] },
    "_mta-sts.clean.test": { TXT: ["v=STSv1; id=20260101"] },
    "_smtp._tls.clean.test": { TXT: ["v=TLSRPTv1; rua=mailto:tls@clean.test"] },
    "default._bimi.clean.test": { TXT: ["v=BIMI1; l=https://clean.test/logo.svg"] },
  };
  CLEAN_IPS.forEach((ip, i) => {
    const name = `mail${i + 1}.clean.test`;
    zones[`${ip.split(".").reverse().join(".")}.in-addr.arpa`] = { PTR: [name] };
    zones[name] = { A: [ip] };
  });
  return zones;
}

/**
 * A domain that breaks everything issue 5 names: two SPF records (the first with 12 lookups, 3 void
 * lookups, a loop, a missing include, ptr and ?all), DMARC p=none without rua and with an unknown tag,
 * a 512-bit DKIM key (selector sel512), a null MX, no MTA-STS/TLS-RPT/BIMI, and an IP without PTR.
 */
export function brokenDomainZones(): ZoneData {
  return {
    "broken.test": {
      MX: [{ exchange: ".", priority: 0 }],
      TXT: [
        "v=spf1 ptr include:l1.broken.test include:l2.broken.test include:nospf.broken.test a:gone1.broken.test a:gone2.broken.test a:gone3.broken.test mx ?all",
        "v=spf1 -all",
      ],
    },
    "l1.broken.test": { TXT: ["v=spf1 a mx exists:%{i}.x.broken.test -all"] },
    "l2.broken.test": { TXT: ["v=spf1 include:broken.test -all"] },
    "nospf.broken.test": { TXT: ["just text"] },
    "_dmarc.broken.test": { TXT: ["v=DMARC1; p=none; sp=none; foo=bar"] },
    "sel512._domainkey.broken.test": { TXT: [`v=DKIM1; k=rsa; t=y; p=${TEST_RSA_KEYS[512]}`] },
  };
}

/** Every zone the audit tests and benchmark need, on one loopback server. */
export function auditZones(lists: BlocklistData, blocklists: DnsblZoneOptions = {}): ZoneData {
  return {
    ...dnsblZones(lists, {
      ...blocklists,
      listings: [
        {
          list: "spamhaus-zen",
          target: BROKEN_IP,
          answer: "127.0.0.2",
          text: "https://check.spamhaus.org/sbl/query/SBL1",
        },
        { list: "spamhaus-dbl", target: BROKEN_DOMAIN, answer: "127.0.1.2" },
        ...(blocklists.listings ?? []),
      ],
    }),
    ...cleanDomainZones(),
    ...brokenDomainZones(),
  };
}
