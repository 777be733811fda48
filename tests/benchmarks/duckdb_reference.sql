-- The validate + quarantine + aggregate + partitioned write of the project, stated as one DuckDB program, as the
-- yardstick for `make bench`. It checks the same rules on the same bronze files, but writes no per-submission
-- artifacts (silver files, GX results, clerk feedback) and keeps no ledger.
-- Parameters (replaced by the runner): {bronze}, {registry}, {catalogue} (with the ledger's received times), {out}
CREATE MACRO tok(x) AS trim(regexp_replace(lower(trim(x)), '[^a-z0-9]+', '_', 'g'), '_');
CREATE MACRO num(t, dc) AS TRY_CAST(
    CASE WHEN dc THEN replace(replace(regexp_replace(trim(t), '^(?i)(rp\.?|idr)\s*', ''), '.', ''), ',', '.')
         ELSE replace(regexp_replace(trim(t), '^(?i)(rp\.?|idr)\s*', ''), ',', '') END AS DOUBLE);

CREATE TABLE registry AS SELECT cooperative_id, members::DOUBLE AS members FROM read_csv('{registry}', all_varchar = true);
CREATE TABLE spelling AS SELECT * FROM read_json('{catalogue}/spelling.json');
CREATE TABLE units AS SELECT * FROM read_json('{catalogue}/units.json');
CREATE TABLE unit_alias AS SELECT * FROM read_json('{catalogue}/unit_alias.json');
CREATE TABLE spec AS SELECT * FROM read_json('{catalogue}/spec.json');
CREATE TABLE received AS SELECT submission_id, received_at::TIMESTAMPTZ AS received_at FROM read_json('{catalogue}/received.json');

CREATE TABLE prepared AS
WITH raw AS (
    SELECT *,
        bool_or(regexp_matches(coalesce(quantity, '') || ' ' || coalesce(unit_price_idr, ''),
                               '\d,\d{1,2}(\s|$)|\d\.\d{3}(,|\s|$)')) OVER (PARTITION BY _submission_id) AS dc,
        mode(upper(trim(cooperative_id))) OVER (PARTITION BY _submission_id) AS file_cooperative_id,
        mode(trim(period)) OVER (PARTITION BY _submission_id) AS file_period
    FROM read_parquet('{bronze}', union_by_name = true)
)
SELECT r._submission_id, r._row_number, upper(trim(r.cooperative_id)) AS cooperative_id, r.file_cooperative_id,
    trim(r.period) AS period, r.file_period,
    CASE tok(r.flow) WHEN 'pasokan' THEN 'supply' WHEN 'supply' THEN 'supply'
                     WHEN 'kebutuhan' THEN 'demand' WHEN 'demand' THEN 'demand' END AS flow,
    coalesce(try_strptime(r.date, '%d/%m/%Y'), try_strptime(r.date, '%Y-%m-%d'), try_strptime(r.date, '%d-%m-%Y'))::DATE AS date,
    (rc.received_at AT TIME ZONE 'Asia/Jakarta')::DATE AS received_date,
    s.code AS commodity, coalesce(ua.unit, tok(r.unit)) AS unit,
    num(r.quantity, r.dc) AS quantity, num(r.unit_price_idr, r.dc) AS unit_price_idr, r.grade,
    r.quantity IS NOT NULL AND trim(r.quantity) <> '' AS has_quantity
FROM raw r
LEFT JOIN received rc ON rc.submission_id = r._submission_id
LEFT JOIN spelling s ON s.spelling = tok(r.commodity)
LEFT JOIN unit_alias ua ON ua.spelling = tok(r.unit);

CREATE TABLE checked AS
SELECT p.*, u.factor, sp.base_unit, p.quantity * u.factor AS quantity_base, p.unit_price_idr / u.factor AS price_base,
    g.members,
    (g.members IS NOT NULL AND p.cooperative_id = p.file_cooperative_id
     AND p.period = p.file_period AND regexp_matches(p.period, '^\d{4}-(0[1-9]|1[0-2])$')
     AND p.flow IS NOT NULL AND p.date IS NOT NULL AND strftime(p.date, '%Y-%m') = p.file_period
     AND p.date <= p.received_date AND p.commodity IS NOT NULL AND u.factor IS NOT NULL
     AND p.quantity > 0 AND p.quantity * u.factor <= least(g.members * sp.max_per_member_month, sp.max_per_cooperative_month)
     AND (p.unit_price_idr IS NULL OR p.unit_price_idr / u.factor BETWEEN sp.price_min AND sp.price_max)
     AND row_number() OVER (PARTITION BY p._submission_id, p.flow, p.date, p.commodity, p.quantity, p.unit,
                                         p.unit_price_idr, p.grade ORDER BY p._row_number) = 1
    ) IS TRUE AS ok
FROM prepared p
LEFT JOIN units u ON u.commodity = p.commodity AND u.unit = p.unit
LEFT JOIN spec sp ON sp.commodity = p.commodity
LEFT JOIN registry g ON g.cooperative_id = p.cooperative_id;

COPY (SELECT * EXCLUDE (ok) FROM checked WHERE NOT ok) TO '{out}/quarantine.parquet' (FORMAT parquet);
COPY (
    SELECT period, cooperative_id, commodity, flow, base_unit, sum(quantity_base) AS quantity_base,
           sum(quantity * unit_price_idr) AS value_idr, count(DISTINCT _submission_id) AS submissions, count(*) AS lines
    FROM checked WHERE ok GROUP BY ALL
) TO '{out}/gold' (FORMAT parquet, PARTITION_BY (period), OVERWRITE_OR_IGNORE true);
