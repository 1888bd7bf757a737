import { type Params, type Store, WITHOUT_ROOT_DOT_SQL } from "../../store/index.ts";
import { hostOfRemoteMtaSql, providerOfDomainSql, providerOfHostSql } from "../provider-domains.ts";

/**
 * The provider of an event whose recipient domain the recipient-domain table does not list (schema 19): the
 * provider of the receiving host the event names (an iCloud+ custom domain's mx01.mail.icloud.com, a Google
 * Workspace domain's aspmx.l.google.com, a Microsoft 365 tenant's *.mail.protection.outlook.com), through the
 * classifier's one host table (HOST_SUFFIXES, src/bounce/provider.ts), `other` for a host of no provider (as
 * `classify` reads the line: review R148); for an event that names none (opens, clicks, an ESP's events,
 * `relay=none`) or a relay, the provider hosting its domain by the domain's stored evidence. A listed domain keeps
 * its provider (gmail.com is google whatever relays its mail).
 *
 * - Per event first (review s40 R105): a domain that moved from one provider to another keeps each event under
 *   the provider that received it, and a domain split between two is counted under each as its mail went.
 * - Relays: a host that received mail for a listed domain of another provider (or of one when it belongs to
 *   none) is a relay between, a smarthost, not the domain's MX: its events are no evidence and take the
 *   domain's vote. A host becomes a relay for good (evidence only grows); its rows stored before are set again.
 * - The domain's vote (`hosted_domains`): `recipient_hosts` counts, per recipient domain and host, the stored
 *   events naming that host (plain names only: hostOfRemoteMtaSql); the provider whose hosts the domain's events
 *   name most wins (hosts of no provider count as `other`), a tie to the name that sorts first. It counts every
 *   stored event, so it does not depend on the order files came in; `other` stores nothing. Decided again for the
 *   domains a file names (and those of a host that just became a relay); when it changes, the rows stored before
 *   that name no host (no plain name: hostOfRemoteMtaSql) or a relay take it (the day summary is then rebuilt).
 */

const DOMAIN_SQL =
  "coalesce(CASE WHEN strpos(recipient, '@') > 0 THEN split_part(recipient, '@', -1) END, '')";
const GROUPS = "hosting_groups";
const HOSTS = "hosting_hosts";
const AFFECTED = "hosting_affected";
const HOSTING = "hosting_now";
const CHANGED = "hosting_changed";
const NEW_RELAYS = "hosting_new_relays";
const CLASSES = "hosting_classes";
const FIXES = "hosting_fixes";

/** What settleHosting changed: the settled files' rows and older files' rows given another provider. */
export interface HostingChange {
  fileRows: number;
  olderRows: number;
}

/**
 * Inside a file's (or batch's) transaction, its rows settled (`where` selects them, `params` binds it;
 * `storedBefore`: whether the store held rows before them, else there are no older rows to set): counts
 * their hosts into `recipient_hosts`, decides again who hosts the unlisted domains they name, and writes the
 * provider of every row whose stored one differs from the definition above. The insert gave an unlisted
 * domain's row the provider of the host it names (insertFlaggedSql, from the staged host key) or `other`, so
 * only a relay's rows and rows naming no host of a hosted domain are written, plus rows of files
 * stored before whose domain's vote changed or whose host just became a relay. The first time after a migration
 * (hosting_state), every stored row is counted and set.
 */
export async function settleHosting(
  store: Store,
  where: string,
  params: Params,
  storedBefore: boolean,
): Promise<HostingChange> {
  const state = await store.one<{ complete: boolean }>("SELECT complete FROM hosting_state");
  const complete = state?.complete !== false;
  const scope = complete ? where : "true";
  const bound = complete ? params : {};
  // Rows that name no host (an ESP's events) are no evidence, and need nothing while no domain is hosted — but
  // the count after a migration (hosting_state) sets every stored row, listed domains' too (a root dot, R110).
  // Whether any evidence was counted before (else no host was a relay before this file's).
  let counted = true;
  if (complete) {
    const needed = await store.one<{ named: boolean; hosted: boolean; counted: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM event_rows WHERE ${scope} AND remote_mta IS NOT NULL) AS named,
        EXISTS (SELECT 1 FROM hosted_domains) AS hosted, EXISTS (SELECT 1 FROM recipient_hosts) AS counted`,
      bound,
    );
    if (!needed?.named && !needed?.hosted) return { fileRows: 0, olderRows: 0 };
    counted = needed?.counted !== false;
  }
  // One grouping of the rows: the hosts' evidence and the providers they were stored with.
  await group(store, scope, bound);
  // The file's hosts that were relays before its evidence is counted (none without evidence), and those that are now.
  await store.run(
    counted
      ? `CREATE OR REPLACE TEMP TABLE ${NEW_RELAYS} AS SELECT host FROM (${hostClassSql(`SELECT host FROM ${HOSTS}`)}) WHERE relay`
      : `CREATE OR REPLACE TEMP TABLE ${NEW_RELAYS} (host VARCHAR)`,
  );
  await store.run(
    `MERGE INTO recipient_hosts r USING (
        SELECT g.domain, h.host, sum(g.n)::UBIGINT AS events FROM ${GROUPS} g JOIN ${HOSTS} h USING (remote_mta)
        WHERE g.domain <> '' AND h.host IS NOT NULL GROUP BY ALL) f
      ON r.domain = f.domain AND r.host = f.host
      WHEN MATCHED THEN UPDATE SET events = r.events + f.events
      WHEN NOT MATCHED THEN INSERT VALUES (f.domain, f.host, f.events)`,
  );
  if (!complete) await store.run("UPDATE hosting_state SET complete = true");
  await classify(store);
  await store.run(
    `CREATE OR REPLACE TEMP TABLE ${NEW_RELAYS} AS SELECT host FROM ${CLASSES} WHERE relay
      EXCEPT SELECT host FROM ${NEW_RELAYS}`,
  );
  // Domains to decide again: the unlisted ones the rows name, and those a host that just became a relay serves.
  await store.run(
    `CREATE OR REPLACE TEMP TABLE ${AFFECTED} AS
      SELECT DISTINCT domain FROM ${GROUPS} WHERE domain <> '' AND ${providerOfDomainSql("domain")} = 'other'
      UNION SELECT domain FROM recipient_hosts WHERE host IN (SELECT host FROM ${NEW_RELAYS})
        AND ${providerOfDomainSql("domain")} = 'other'`,
  );
  await store.run(`CREATE OR REPLACE TEMP TABLE ${HOSTING} AS ${hostingSql(AFFECTED)}`);
  // Domains whose rows stored before may change: their vote changed, or a host they name just became a relay
  // (none to look for when there are no rows stored before, or every stored row is the scope's).
  const older = complete && storedBefore;
  if (older)
    await store.run(
      `CREATE OR REPLACE TEMP TABLE ${CHANGED} AS SELECT domain FROM ${AFFECTED} a
        LEFT JOIN ${HOSTING} n USING (domain) LEFT JOIN hosted_domains o USING (domain)
        WHERE n.provider IS DISTINCT FROM o.provider
        UNION SELECT domain FROM recipient_hosts WHERE host IN (SELECT host FROM ${NEW_RELAYS})
          AND ${providerOfDomainSql("domain")} = 'other'`,
    );
  await store.run(`DELETE FROM hosted_domains WHERE domain IN (SELECT domain FROM ${AFFECTED});
    INSERT INTO hosted_domains SELECT * FROM ${HOSTING};
    DROP TABLE ${HOSTING}; DROP TABLE ${NEW_RELAYS}`);
  const fileRows = await fix(store, scope, bound);
  // Rows stored before, of domains whose vote changed or whose host just became a relay (a store-wide scan, so
  // only when there are some).
  let olderRows = 0;
  const changed = older ? await store.one<{ n: number }>(`SELECT count(*) AS n FROM ${CHANGED}`) : null;
  if (changed?.n) {
    const rows = `NOT (${where}) AND ${WITHOUT_ROOT_DOT_SQL(DOMAIN_SQL)} IN (SELECT domain FROM ${CHANGED})`;
    await group(store, rows, params);
    await classify(store);
    olderRows = await fix(store, rows, params);
  }
  await store.run(
    `${older ? `DROP TABLE ${CHANGED}; ` : ""}DROP TABLE ${AFFECTED}; DROP TABLE ${CLASSES}; DROP TABLE ${HOSTS}; DROP TABLE ${GROUPS}`,
  );
  return complete ? { fileRows, olderRows } : { fileRows, olderRows: fileRows };
}

/** Groups the rows `scope` selects by domain, remote MTA and stored provider (GROUPS), their remote MTAs' hosts in HOSTS. */
async function group(store: Store, scope: string, params: Params): Promise<void> {
  await store.run(
    `CREATE OR REPLACE TEMP TABLE ${GROUPS} AS SELECT raw, ${WITHOUT_ROOT_DOT_SQL("raw")} AS domain, remote_mta, provider, n
      FROM (SELECT ${DOMAIN_SQL} AS raw, remote_mta, provider, count(*)::UBIGINT AS n FROM event_rows WHERE ${scope}
        GROUP BY ALL)`,
    params,
  );
  await store.run(
    `CREATE OR REPLACE TEMP TABLE ${HOSTS} AS SELECT remote_mta, ${hostOfRemoteMtaSql("remote_mta")} AS host
      FROM (SELECT DISTINCT remote_mta FROM ${GROUPS} WHERE remote_mta IS NOT NULL)`,
  );
}

/** The hosts of HOSTS classed (hostClassSql) as `recipient_hosts` has them now, in CLASSES. */
async function classify(store: Store): Promise<void> {
  await store.run(`CREATE OR REPLACE TEMP TABLE ${CLASSES} AS ${hostClassSql(`SELECT host FROM ${HOSTS}`)}`);
}

/**
 * Writes the provider of the rows `scope` selects (grouped in GROUPS, their remote MTAs' hosts in HOSTS) whose
 * unlisted domain's stored provider differs from the definition (their hosts classed in CLASSES): the provider of the host the row names when
 * that is not a relay (`other` for a host of no provider), else the domain's vote.
 */
async function fix(store: Store, scope: string, params: Params): Promise<number> {
  await store.run(
    `CREATE OR REPLACE TEMP TABLE ${FIXES} AS
      WITH named AS (SELECT h.remote_mta, coalesce(c.provider, 'other') AS provider FROM ${HOSTS} h
          JOIN ${CLASSES} c USING (host) WHERE NOT c.relay)
      SELECT raw, remote_mta, stored, provider FROM (SELECT g.raw, g.remote_mta, g.provider AS stored,
          CASE WHEN ${providerOfDomainSql("g.domain")} <> 'other' THEN ${providerOfDomainSql("g.domain")}
            ELSE coalesce(m.provider, d.provider, 'other') END AS provider
        FROM ${GROUPS} g LEFT JOIN named m ON m.remote_mta = g.remote_mta
          LEFT JOIN hosted_domains d ON d.domain = g.domain)
      WHERE stored <> provider`,
  );
  const fixes = await store.one<{ n: number }>(`SELECT count(*) AS n FROM ${FIXES}`);
  const fixed = fixes?.n
    ? await store.exec(
        `UPDATE event_rows SET provider = f.provider FROM ${FIXES} f
        WHERE ${scope} AND ${DOMAIN_SQL} = f.raw AND event_rows.remote_mta IS NOT DISTINCT FROM f.remote_mta
          AND event_rows.provider = f.stored`,
        params,
      )
    : 0;
  await store.run(`DROP TABLE ${FIXES}`);
  return fixed;
}

/**
 * SQL: the hosts `hosts` selects, each with the provider of the classifier's host table (NULL for none) and
 * whether it is a relay: `recipient_hosts` has it receiving a listed domain of another provider (of any
 * provider when it has none).
 */
function hostClassSql(hosts: string): string {
  return `WITH classed AS (SELECT host, ${providerOfHostSql("host")} AS provider
        FROM (SELECT DISTINCT host FROM (${hosts}) WHERE host IS NOT NULL)),
      relays AS (SELECT DISTINCT r.host FROM recipient_hosts r JOIN classed c USING (host)
        WHERE ${providerOfDomainSql("r.domain")} NOT IN ('other', coalesce(c.provider, 'other')))
    SELECT host, provider, host IN (SELECT host FROM relays) AS relay FROM classed`;
}

/**
 * The hosting provider of each unlisted domain `domains` (a table of `domain`) names, from `recipient_hosts`:
 * hosts classed by the host table, relays left out, votes by events, the most events winning, a tie to the
 * first name; `other` is not listed.
 */
function hostingSql(domains: string): string {
  return `WITH counted AS (SELECT domain, host, events FROM recipient_hosts WHERE domain IN (SELECT domain FROM ${domains})),
    classes AS (${hostClassSql("SELECT host FROM counted")}),
    votes AS (SELECT c.domain, coalesce(h.provider, 'other') AS provider, sum(c.events) AS events
      FROM counted c JOIN classes h USING (host) WHERE NOT h.relay GROUP BY ALL),
    ranked AS (SELECT domain, provider,
        row_number() OVER (PARTITION BY domain ORDER BY events DESC, provider::VARCHAR) AS place FROM votes)
  SELECT domain, provider FROM ranked WHERE place = 1 AND provider <> 'other'`;
}
