import type { Params, Store } from "../../store/index.ts";
import { hostOfRemoteMtaSql, providerOfDomainSql, providerOfHostSql } from "../provider-domains.ts";

/**
 * The provider of a recipient domain the recipient-domain table does not list (schema 18): the provider that
 * hosts it, learned from the receiving hosts its stored events name (an iCloud+ custom domain's relay
 * mx01.mail.icloud.com, a Google Workspace domain's aspmx.l.google.com, a Microsoft 365 tenant's
 * *.mail.protection.outlook.com), through the classifier's one host table (HOST_SUFFIXES, src/bounce/provider.ts).
 * A listed domain keeps its provider (gmail.com is google whatever relays its mail).
 *
 * - Evidence: `recipient_hosts` counts, per recipient domain and host, the stored events naming that host
 *   (remote_mta, plain names only: hostOfRemoteMtaSql). A host that received mail for a listed domain of another
 *   provider (or of one when it belongs to none) is a relay between, a smarthost, not the domain's MX: it is
 *   no evidence.
 * - Decision: the provider whose hosts the domain's events name most (hosts of no provider count as `other`);
 *   a tie goes to the provider whose name sorts first. Counts over every stored event, so the answer does not
 *   depend on the order files came in. `other` stores nothing in `hosted_domains`.
 * - Every event of the domain carries it (deliveries, opens and clicks too, so a provider's rates compare
 *   like with like), and it is decided again at every file: the rows of a domain whose decision changed are
 *   updated, those of files stored before too (the day summary is then rebuilt).
 */

const DOMAIN_SQL =
  "coalesce(CASE WHEN strpos(recipient, '@') > 0 THEN split_part(recipient, '@', -1) END, '')";
const FILE_GROUPS = "hosting_groups";
const HOSTING = "hosting_now";
const FIXES = "hosting_fixes";
const CHANGED = "hosting_changed";

/** What settleHosting changed: the settled files' rows and older files' rows given another provider. */
export interface HostingChange {
  fileRows: number;
  olderRows: number;
}

/**
 * Inside a file's (or batch's) transaction, its rows settled (`where` selects them, `params` binds it): counts
 * their hosts into `recipient_hosts`, decides again which unlisted domains are hosted by whom, and stores every
 * row of them with that provider. The insert gave an unlisted domain's row the provider of the host it names
 * (insertFlaggedSql, from the staged host key) or `other`; here only rows whose domain's decision differs are
 * written (a relay's rows, a domain's rows that name no host or another's), and rows of files stored before
 * whose domain's decision changed. The first time after the migration (hosting_state), every stored row is
 * counted and set.
 */
export async function settleHosting(store: Store, where: string, params: Params): Promise<HostingChange> {
  const state = await store.one<{ complete: boolean }>("SELECT complete FROM hosting_state");
  const complete = state?.complete !== false;
  const scope = complete ? where : "true";
  const bound = complete ? params : {};
  // Rows that name no host (an ESP's events) are no evidence, and need nothing while no domain is hosted.
  const needed = await store.one<{ named: boolean; hosted: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM event_rows WHERE ${scope} AND remote_mta IS NOT NULL) AS named,
      EXISTS (SELECT 1 FROM hosted_domains) AS hosted`,
    bound,
  );
  if (!needed?.named && !needed?.hosted) {
    if (!complete) await store.run("UPDATE hosting_state SET complete = true");
    return { fileRows: 0, olderRows: 0 };
  }
  // One grouping of the rows: the hosts' evidence and the providers they were stored with.
  await store.run(
    `CREATE OR REPLACE TEMP TABLE ${FILE_GROUPS} AS SELECT ${DOMAIN_SQL} AS domain, remote_mta, provider,
      count(*)::UBIGINT AS n FROM event_rows WHERE ${scope} GROUP BY ALL`,
    bound,
  );
  await store.run(
    `MERGE INTO recipient_hosts r USING (
        WITH hosts AS (SELECT remote_mta, ${hostOfRemoteMtaSql("remote_mta")} AS host
          FROM (SELECT DISTINCT remote_mta FROM ${FILE_GROUPS} WHERE remote_mta IS NOT NULL))
        SELECT g.domain, h.host, sum(g.n)::UBIGINT AS events FROM ${FILE_GROUPS} g JOIN hosts h USING (remote_mta)
        WHERE g.domain <> '' AND h.host IS NOT NULL GROUP BY ALL) f
      ON r.domain = f.domain AND r.host = f.host
      WHEN MATCHED THEN UPDATE SET events = r.events + f.events
      WHEN NOT MATCHED THEN INSERT VALUES (f.domain, f.host, f.events)`,
  );
  if (!complete) await store.run("UPDATE hosting_state SET complete = true");
  await store.run(`CREATE OR REPLACE TEMP TABLE ${HOSTING} AS ${HOSTING_SQL}`);
  // Domains whose provider changed: the rows stored before the file(s) take it too (a store-wide scan, so only
  // when there are some).
  let olderRows = 0;
  if (complete) {
    await store.run(
      `CREATE OR REPLACE TEMP TABLE ${CHANGED} AS
      SELECT coalesce(n.domain, o.domain) AS domain, coalesce(n.provider, 'other') AS provider
      FROM ${HOSTING} n FULL OUTER JOIN hosted_domains o ON o.domain = n.domain
      WHERE n.provider IS DISTINCT FROM o.provider`,
    );
    const changed = await store.one<{ n: number }>(`SELECT count(*) AS n FROM ${CHANGED}`);
    if (changed?.n)
      olderRows = await store.exec(
        `UPDATE event_rows SET provider = c.provider FROM ${CHANGED} c
        WHERE NOT (${where}) AND ${DOMAIN_SQL} = c.domain AND event_rows.provider <> c.provider`,
        params,
      );
    await store.run(`DROP TABLE ${CHANGED}`);
  }
  // The rows in scope whose unlisted domain's provider is not the decided one.
  await store.run(
    `CREATE OR REPLACE TEMP TABLE ${FIXES} AS SELECT DISTINCT g.domain, g.provider AS stored,
        coalesce(h.provider, 'other') AS provider
      FROM ${FILE_GROUPS} g LEFT JOIN ${HOSTING} h ON h.domain = g.domain
      WHERE ${providerOfDomainSql("g.domain")} = 'other' AND g.provider <> coalesce(h.provider, 'other')`,
  );
  const fixes = await store.one<{ n: number }>(`SELECT count(*) AS n FROM ${FIXES}`);
  const fixed = fixes?.n
    ? await store.exec(
        `UPDATE event_rows SET provider = f.provider FROM ${FIXES} f
        WHERE ${scope} AND ${DOMAIN_SQL} = f.domain AND event_rows.provider = f.stored`,
        bound,
      )
    : 0;
  await store.run(`DELETE FROM hosted_domains; INSERT INTO hosted_domains SELECT * FROM ${HOSTING};
    DROP TABLE ${HOSTING}; DROP TABLE ${FIXES}; DROP TABLE ${FILE_GROUPS}`);
  return complete ? { fileRows: fixed, olderRows } : { fileRows: fixed, olderRows: fixed };
}

/**
 * Every unlisted domain's hosting provider from `recipient_hosts` (settleHosting's rules): hosts classed by the
 * host table, relays left out, votes by events, the most events winning, a tie to the first name.
 */
const HOSTING_SQL = `
  WITH hosts AS (SELECT host, coalesce(${providerOfHostSql("host")}, 'other') AS provider
      FROM (SELECT DISTINCT host FROM recipient_hosts)),
    counted AS (SELECT r.domain, r.host, r.events, h.provider, ${providerOfDomainSql("r.domain")} AS listed
      FROM recipient_hosts r JOIN hosts h USING (host)),
    relays AS (SELECT DISTINCT host FROM counted WHERE listed <> 'other' AND listed <> provider),
    votes AS (SELECT domain, provider, sum(events) AS events FROM counted
      WHERE listed = 'other' AND host NOT IN (SELECT host FROM relays) GROUP BY ALL),
    ranked AS (SELECT domain, provider,
        row_number() OVER (PARTITION BY domain ORDER BY events DESC, provider::VARCHAR) AS place FROM votes)
  SELECT domain, provider FROM ranked WHERE place = 1 AND provider <> 'other'`;
