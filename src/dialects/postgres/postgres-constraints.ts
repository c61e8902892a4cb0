import type { ConstraintDeferral, DeferrableConstraints, DeferredDefinition, TableRef } from '../dialect.js';

type Select = (sql: string, params?: readonly unknown[]) => Promise<readonly (readonly unknown[])[]>;

/**
 * --defer-constraints on PostgreSQL: the table's primary key, unique and exclusion constraints,
 * indexes and foreign keys are read from the catalog (pg_get_constraintdef, pg_get_indexdef, so
 * partial and expression indexes, INCLUDE, DEFERRABLE, NULLS NOT DISTINCT and storage parameters
 * come back as written), dropped after BEGIN and rebuilt before COMMIT. DDL is transactional here:
 * a rebuild that fails rolls the rows and every definition back together. Every statement text is
 * built by the server's own format() (%I, %L), so no name or comment is quoted by hand.
 */
export function postgresConstraints(
  select: Select,
  qualifiedName: (ref: TableRef) => string,
): DeferrableConstraints {
  return {
    how: [
      "the primary key, unique and exclusion constraints, indexes and foreign keys are dropped after BEGIN and rebuilt before COMMIT, in the load's one transaction: a duplicate key or an orphan found by the rebuild rolls back the rows and leaves every definition as it was",
      'the table is locked ACCESS EXCLUSIVE from the start of the load to its COMMIT: other sessions wait even to read it (a plain load lets them read); the tables its foreign keys point to, and those whose foreign keys point at it, are locked SHARE ROW EXCLUSIVE',
      'it pays when the table is empty or small beside the input: each index is then built once, sorted, instead of updated row by row, and each foreign key checked by one join; on a large table every index is rebuilt over all its rows, old and new',
      'the rebuild runs with maintenance_work_mem at least 512MB and up to 2 parallel maintenance workers (SET LOCAL: this transaction only)',
    ],
    plan: async (ref) => planDeferral(select, qualifiedName(ref)),
  };
}

const KINDS: Record<string, DeferredDefinition['kind']> = {
  p: 'primary key',
  u: 'unique',
  x: 'exclusion',
  f: 'foreign key',
};

interface ConstraintRow {
  readonly oid: string;
  readonly type: string;
  readonly name: string;
  readonly own: boolean;
  readonly validated: boolean;
  /** The index it is (p, u, x) or, for a foreign key, the unique index it references. */
  readonly index: string;
  readonly definition: string;
  readonly table: string;
  readonly owner: boolean;
  readonly drop: string;
  readonly add: string;
  readonly comment: string | null;
  /** Primary key and unique: the constraint over an index built first from pg_get_indexdef. */
  readonly usingIndex: string;
}

interface IndexRow {
  readonly oid: string;
  readonly name: string;
  readonly definition: string;
  readonly drop: string;
  readonly valid: boolean;
  readonly replicaIdentity: boolean;
  readonly clustered: boolean;
  readonly tablespace: string | null;
  readonly comment: string | null;
  readonly replicaSql: string;
  readonly clusterSql: string;
}

async function planDeferral(select: Select, name: string): Promise<ConstraintDeferral | { refused: string }> {
  const [target] = await select(
    `SELECT c.oid::int8::text, c.relkind::text, pg_has_role(c.relowner, 'USAGE'), c.reltuples::float8,
            format('%I.%I', n.nspname, c.relname),
            EXISTS (SELECT 1 FROM pg_inherits WHERE inhrelid = c.oid OR inhparent = c.oid),
            pg_get_userbyid(c.relowner)
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.oid = to_regclass($1)`,
    [name],
  );
  if (target === undefined) return { refused: `table ${name} does not exist` };
  const [oid, relkind, owner, reltuples, table, inherits, ownerName] = target as [
    string,
    string,
    boolean,
    number,
    string,
    boolean,
    string,
  ];
  if (!owner)
    return {
      refused: `--defer-constraints needs to drop and rebuild the keys and indexes of ${table}, which only its owner (${ownerName}) may do`,
    };
  if (relkind !== 'r')
    return {
      refused: `${table} is ${relkind === 'p' ? 'a partitioned table' : 'not a plain table'}: its keys and indexes belong to its partitions too, and --defer-constraints only rebuilds a plain table's`,
    };
  const [[empty]] = (await select(`SELECT NOT EXISTS (SELECT 1 FROM ${table})`)) as [[boolean]];
  if (inherits)
    return {
      refused: `${table} takes part in table inheritance: its keys and indexes are shared with other tables, which --defer-constraints does not rebuild`,
    };

  const constraints: ConstraintRow[] = (
    await select(
      `SELECT con.oid::int8::text, con.contype::text, con.conname, con.conrelid = $1::oid, con.convalidated,
              con.conindid::int8::text, pg_get_constraintdef(con.oid), format('%I.%I', n.nspname, cl.relname),
              pg_has_role(cl.relowner, 'USAGE'),
              format('ALTER TABLE %I.%I DROP CONSTRAINT %I', n.nspname, cl.relname, con.conname),
              format('ALTER TABLE %I.%I ADD CONSTRAINT %I %s', n.nspname, cl.relname, con.conname,
                     pg_get_constraintdef(con.oid)),
              CASE WHEN d.description IS NOT NULL THEN
                format('COMMENT ON CONSTRAINT %I ON %I.%I IS %L', con.conname, n.nspname, cl.relname, d.description)
              END,
              format('ALTER TABLE %I.%I ADD CONSTRAINT %I %s USING INDEX %I%s', n.nspname, cl.relname, con.conname,
                     CASE con.contype WHEN 'p' THEN 'PRIMARY KEY' ELSE 'UNIQUE' END, con.conname,
                     CASE WHEN con.condeferred THEN ' DEFERRABLE INITIALLY DEFERRED'
                          WHEN con.condeferrable THEN ' DEFERRABLE' ELSE '' END)
         FROM pg_constraint con
         JOIN pg_class cl ON cl.oid = con.conrelid
         JOIN pg_namespace n ON n.oid = cl.relnamespace
         LEFT JOIN pg_description d
           ON d.classoid = 'pg_constraint'::regclass AND d.objoid = con.oid AND d.objsubid = 0
        WHERE (con.conrelid = $1::oid AND con.contype IN ('p', 'u', 'x', 'f'))
           OR (con.confrelid = $1::oid AND con.conrelid <> $1::oid AND con.contype = 'f' AND con.conparentid = 0)
        ORDER BY con.conrelid = $1::oid DESC, con.conname, cl.relname`,
      [oid],
    )
  ).map((r) => ({
    oid: r[0] as string,
    type: r[1] as string,
    name: r[2] as string,
    own: r[3] as boolean,
    validated: r[4] as boolean,
    index: r[5] as string,
    definition: r[6] as string,
    table: r[7] as string,
    owner: r[8] as boolean,
    drop: r[9] as string,
    add: r[10] as string,
    comment: r[11] as string | null,
    usingIndex: r[12] as string,
  }));
  const indexes: IndexRow[] = (
    await select(
      `SELECT i.indexrelid::int8::text, ic.relname, pg_get_indexdef(i.indexrelid),
              format('DROP INDEX %I.%I', n.nspname, ic.relname),
              i.indisvalid AND i.indisready AND i.indislive, i.indisreplident, i.indisclustered,
              t.spcname,
              CASE WHEN d.description IS NOT NULL THEN
                format('COMMENT ON INDEX %I.%I IS %L', n.nspname, ic.relname, d.description)
              END,
              format('ALTER TABLE %s REPLICA IDENTITY USING INDEX %I', $2::text, ic.relname),
              format('ALTER TABLE %s CLUSTER ON %I', $2::text, ic.relname)
         FROM pg_index i
         JOIN pg_class ic ON ic.oid = i.indexrelid
         JOIN pg_namespace n ON n.oid = ic.relnamespace
         LEFT JOIN pg_tablespace t ON t.oid = ic.reltablespace
         LEFT JOIN pg_description d
           ON d.classoid = 'pg_class'::regclass AND d.objoid = i.indexrelid AND d.objsubid = 0
        WHERE i.indrelid = $1::oid
        ORDER BY ic.relname`,
      [oid, table],
    )
  ).map((r) => ({
    oid: r[0] as string,
    name: r[1] as string,
    definition: r[2] as string,
    drop: r[3] as string,
    valid: r[4] as boolean,
    replicaIdentity: r[5] as boolean,
    clustered: r[6] as boolean,
    tablespace: r[7] as string | null,
    comment: r[8] as string | null,
    replicaSql: r[9] as string,
    clusterSql: r[10] as string,
  }));

  const kept: string[] = [];
  const backing = new Map<string, ConstraintRow>();
  for (const c of constraints) if (c.own && c.type !== 'f') backing.set(c.index, c);
  // Foreign keys first: which ones this load may drop and add back.
  const keys = new Set<ConstraintRow>();
  for (const c of constraints) {
    if (c.type !== 'f') continue;
    if (c.own && !c.validated) {
      kept.push(
        `foreign key ${c.name}: NOT VALID, so it is kept (added back NOT VALID it would not check the loaded rows)`,
      );
    } else if (!c.own && !c.owner) {
      kept.push(
        `the index that foreign key ${c.name} of ${c.table} references is kept: only the owner of ${c.table} may drop and add back that foreign key`,
      );
    } else keys.add(c);
  }
  // Indexes: every valid one, unless something other than a foreign key handled here needs it.
  const candidates = indexes.filter((i) => {
    if (!i.valid) {
      kept.push(`index ${i.name}: not valid (an unfinished CREATE INDEX CONCURRENTLY), kept as it is`);
      return false;
    }
    if (i.tablespace !== null) {
      kept.push(`index ${i.name}: in tablespace ${i.tablespace}, kept where it is`);
      return false;
    }
    return true;
  });
  const handled = new Set([...keys].map((k) => k.oid));
  const watched = candidates.flatMap((i) => [i.oid, backing.get(i.oid)?.oid ?? i.oid]);
  const dependents = await select(
    `SELECT d.refobjid::int8::text, d.objid::int8::text, d.classid = 'pg_constraint'::regclass,
            pg_describe_object(d.classid, d.objid, d.objsubid)
       FROM pg_depend d
      WHERE d.refclassid IN ('pg_class'::regclass, 'pg_constraint'::regclass)
        AND d.refobjid = ANY($1::oid[]) AND d.deptype = 'n'`,
    [`{${watched.join(',')}}`],
  );
  const blocked = new Map<string, string>();
  for (const [ref, objid, isConstraint, what] of dependents as [string, string, boolean, string][]) {
    if (isConstraint && handled.has(objid)) continue;
    blocked.set(ref, what);
  }
  const deferredIndexes = candidates.filter((i) => {
    const con = backing.get(i.oid);
    const why = blocked.get(i.oid) ?? (con && blocked.get(con.oid));
    if (why === undefined) return true;
    kept.push(`${con ? `${KINDS[con.type]} ${con.name}` : `index ${i.name}`}: kept, ${why} depends on it`);
    return false;
  });
  const deferredIndexIds = new Set(deferredIndexes.map((i) => i.oid));
  // An inbound foreign key whose index stays needs no drop.
  for (const k of keys) if (!k.own && !deferredIndexIds.has(k.index)) keys.delete(k);

  const ownKeys = [...keys].filter((k) => k.own);
  const inbound = [...keys].filter((k) => !k.own);
  const deferred: DeferredDefinition[] = [];
  const drop: string[] = [];
  const rebuild: { sql: string; name: string }[] = [];
  const fingerprint: string[] = [];
  const after: { sql: string; name: string }[] = [];
  for (const k of [...inbound, ...ownKeys]) drop.push(k.drop);
  for (const i of deferredIndexes) {
    const con = backing.get(i.oid);
    if (con !== undefined) {
      deferred.push({ kind: KINDS[con.type]!, name: con.name, table, definition: con.definition });
      drop.push(con.drop);
      // pg_get_constraintdef leaves out the index's storage parameters (WITH (fillfactor = 70)), which
      // pg_get_indexdef keeps: a key is rebuilt as its index, then made a constraint over it, as
      // pg_dump writes the parameters out by hand. An exclusion constraint's definition has them.
      if (con.type === 'x') rebuild.push({ sql: con.add, name: `${KINDS[con.type]} ${con.name}` });
      else
        rebuild.push(
          { sql: i.definition, name: `${KINDS[con.type]} ${con.name}` },
          { sql: con.usingIndex, name: `${KINDS[con.type]} ${con.name}` },
        );
      if (con.comment !== null) after.push({ sql: con.comment, name: `the comment on ${con.name}` });
      fingerprint.push(`${con.type} ${con.name} ${con.definition} ${con.comment ?? ''}`);
    } else {
      deferred.push({ kind: 'index', name: i.name, table, definition: i.definition });
      drop.push(i.drop);
      rebuild.push({ sql: i.definition, name: `index ${i.name}` });
    }
    if (i.comment !== null) after.push({ sql: i.comment, name: `the comment on index ${i.name}` });
    if (i.replicaIdentity) after.push({ sql: i.replicaSql, name: `replica identity ${i.name}` });
    if (i.clustered) after.push({ sql: i.clusterSql, name: `the clustering on ${i.name}` });
    fingerprint.push(
      `index ${i.name} ${i.definition} ${i.comment ?? ''} ${i.replicaIdentity} ${i.clustered}`,
    );
  }
  rebuild.push(...after);
  for (const k of [...ownKeys, ...inbound]) {
    deferred.push({
      kind: k.own ? 'foreign key' : 'inbound foreign key',
      name: k.name,
      table: k.table,
      definition: k.definition,
    });
    rebuild.push({ sql: k.add, name: `foreign key ${k.name}${k.own ? '' : ` of ${k.table}`}` });
    if (k.comment !== null) rebuild.push({ sql: k.comment, name: `the comment on ${k.name}` });
    fingerprint.push(`f ${k.table} ${k.name} ${k.definition} ${k.comment ?? ''}`);
  }
  return {
    deferred,
    kept,
    lock: `LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`,
    drop,
    settings: [
      // Checks a kept DEFERRABLE key still has pending would refuse the ALTER TABLEs: run them now.
      'SET CONSTRAINTS ALL IMMEDIATE',
      `SELECT set_config('maintenance_work_mem', '512MB', true)
        WHERE pg_size_bytes(current_setting('maintenance_work_mem')) < pg_size_bytes('512MB')`,
      `SELECT set_config('max_parallel_maintenance_workers', '2', true)
        WHERE current_setting('max_parallel_maintenance_workers')::int < 2`,
    ],
    rebuild,
    fingerprint: fingerprint.sort(),
    existingRows: empty ? 0 : reltuples > 0 ? Math.round(reltuples) : undefined,
  };
}
