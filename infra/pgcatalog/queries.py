"""The catalog queries: one per object kind, each returning (name, {field: value}) rows.

Objects that belong to an extension (pg_depend deptype 'e') are left out: the extension's version
stands for them. OIDs never appear; names and definitions rendered by PostgreSQL do.
"""

# Each query takes :schemas (text[]) and :exclude (text[] of table names); returns name, fields (jsonb).
NOT_EXTENSION_MEMBER = """NOT EXISTS (SELECT 1 FROM pg_depend dep
    WHERE dep.classid = '{catalog}'::regclass AND dep.objid = {oid} AND dep.deptype = 'e')"""

QUERIES: dict[str, str] = {
    "table": """
SELECT n.nspname || '.' || c.relname,
       jsonb_build_object('kind', c.relkind, 'persistence', c.relpersistence,
                          'comment', obj_description(c.oid, 'pg_class'), 'acl', c.relacl::text[],
                          'owner', pg_get_userbyid(c.relowner))
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY(:schemas) AND c.relkind IN ('r', 'p', 'f') AND NOT (c.relname = ANY(:exclude))
  AND """
    + NOT_EXTENSION_MEMBER.format(catalog="pg_class", oid="c.oid"),
    "column": """
SELECT n.nspname || '.' || c.relname || '.' || a.attname,
       jsonb_build_object('type', format_type(a.atttypid, a.atttypmod), 'not_null', a.attnotnull,
                          'default', pg_get_expr(d.adbin, d.adrelid), 'identity', a.attidentity,
                          'generated', a.attgenerated,
                          'collation', CASE WHEN a.attcollation <> t.typcollation THEN co.collname END,
                          'comment', col_description(c.oid, a.attnum), 'acl', a.attacl::text[])
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
LEFT JOIN pg_collation co ON co.oid = a.attcollation
WHERE n.nspname = ANY(:schemas) AND c.relkind IN ('r', 'p', 'f', 'v', 'm') AND a.attnum > 0
  AND NOT a.attisdropped AND NOT (c.relname = ANY(:exclude))
  AND """
    + NOT_EXTENSION_MEMBER.format(catalog="pg_class", oid="c.oid"),
    "constraint": """
SELECT n.nspname || '.' || coalesce(rel.relname, typ.typname) || '.' || con.conname,
       jsonb_build_object('type', con.contype, 'definition', pg_get_constraintdef(con.oid),
                          'deferrable', con.condeferrable, 'deferred', con.condeferred,
                          'comment', obj_description(con.oid, 'pg_constraint'))
FROM pg_constraint con JOIN pg_namespace n ON n.oid = con.connamespace
LEFT JOIN pg_class rel ON rel.oid = con.conrelid LEFT JOIN pg_type typ ON typ.oid = con.contypid
WHERE n.nspname = ANY(:schemas) AND NOT (coalesce(rel.relname, '') = ANY(:exclude))
  AND """
    + NOT_EXTENSION_MEMBER.format(catalog="pg_constraint", oid="con.oid"),
    "index": """
SELECT n.nspname || '.' || ic.relname,
       jsonb_build_object('table', tc.relname, 'definition', pg_get_indexdef(i.indexrelid),
                          'comment', obj_description(ic.oid, 'pg_class'))
FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class tc ON tc.oid = i.indrelid
JOIN pg_namespace n ON n.oid = ic.relnamespace
WHERE n.nspname = ANY(:schemas) AND NOT (tc.relname = ANY(:exclude))
  AND """
    + NOT_EXTENSION_MEMBER.format(catalog="pg_class", oid="tc.oid"),
    "extension": """
SELECT e.extname, jsonb_build_object('version', e.extversion, 'schema', n.nspname)
FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace""",
    "sequence": """
SELECT n.nspname || '.' || c.relname,
       jsonb_build_object('type', format_type(s.seqtypid, NULL), 'start', s.seqstart,
                          'increment', s.seqincrement, 'min', s.seqmin, 'max', s.seqmax,
                          'cache', s.seqcache, 'cycle', s.seqcycle,
                          'owned_by', (SELECT t.relname || '.' || a.attname FROM pg_depend d
                                       JOIN pg_class t ON t.oid = d.refobjid
                                       JOIN pg_attribute a
                                         ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                                       WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                                         AND d.deptype IN ('a', 'i') LIMIT 1),
                          'acl', c.relacl::text[])
FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY(:schemas)
  AND """
    + NOT_EXTENSION_MEMBER.format(catalog="pg_class", oid="c.oid"),
    "type": """
SELECT n.nspname || '.' || t.typname,
       jsonb_build_object('kind', t.typtype,
                          'labels', (SELECT jsonb_agg(e.enumlabel ORDER BY e.enumsortorder)
                                     FROM pg_enum e WHERE e.enumtypid = t.oid),
                          'base', CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END,
                          'not_null', t.typnotnull, 'default', t.typdefault,
                          'comment', obj_description(t.oid, 'pg_type'), 'acl', t.typacl::text[])
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE n.nspname = ANY(:schemas) AND t.typtype IN ('e', 'd', 'r', 'm')
  AND """
    + NOT_EXTENSION_MEMBER.format(catalog="pg_type", oid="t.oid"),
    "view": """
SELECT n.nspname || '.' || c.relname,
       jsonb_build_object('kind', c.relkind, 'definition', pg_get_viewdef(c.oid, true),
                          'comment', obj_description(c.oid, 'pg_class'), 'acl', c.relacl::text[])
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY(:schemas) AND c.relkind IN ('v', 'm')
  AND """
    + NOT_EXTENSION_MEMBER.format(catalog="pg_class", oid="c.oid"),
    "function": """
SELECT n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',
       jsonb_build_object('kind', p.prokind, 'returns', pg_get_function_result(p.oid),
                          'language', l.lanname, 'volatility', p.provolatile,
                          'security_definer', p.prosecdef, 'strict', p.proisstrict,
                          'body_md5', md5(coalesce(p.prosrc, '') || coalesce(p.probin, '')),
                          'config', p.proconfig, 'comment', obj_description(p.oid, 'pg_proc'),
                          'acl', p.proacl::text[])
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_language l ON l.oid = p.prolang
WHERE n.nspname = ANY(:schemas)
  AND """
    + NOT_EXTENSION_MEMBER.format(catalog="pg_proc", oid="p.oid"),
    "trigger": """
SELECT n.nspname || '.' || c.relname || '.' || tg.tgname,
       jsonb_build_object('definition', pg_get_triggerdef(tg.oid), 'enabled', tg.tgenabled,
                          'comment', obj_description(tg.oid, 'pg_trigger'))
FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY(:schemas) AND NOT tg.tgisinternal AND NOT (c.relname = ANY(:exclude))""",
    "schema": """
SELECT n.nspname,
       jsonb_build_object('acl', n.nspacl::text[], 'comment', obj_description(n.oid, 'pg_namespace'))
FROM pg_namespace n WHERE n.nspname = ANY(:schemas)""",
}
