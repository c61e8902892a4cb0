import type { ConstraintDeferral, DeferrableConstraints, Session, TableRef } from '../dialects/dialect.js';
import { SluiceError } from '../errors.js';
import type { CommitHooks } from './transaction.js';

/** What --defer-constraints did, for the report: what was rebuilt, what was kept, each phase's time. */
export interface DeferredConstraintsReport {
  /** "primary key users_pkey", "index users_email_idx", "inbound foreign key orders_user_id_fkey (public.orders)". */
  readonly rebuilt: readonly string[];
  readonly kept: readonly string[];
  /** Seconds spent dropping the definitions, loading the rows without them, and rebuilding them. */
  readonly seconds: { readonly drop: number; readonly load: number; readonly rebuild: number };
}

/** The planned deferral on the load's table, as read at prepare time (explain prints it). */
export interface PlannedDeferral {
  readonly constraints: DeferrableConstraints;
  readonly plan: ConstraintDeferral;
}

/**
 * --defer-constraints: the table's keys, indexes and foreign keys are dropped right after the
 * load's BEGIN and rebuilt right before its COMMIT, both inside the one transaction that
 * LoadTransaction owns (this only supplies its hooks). The definitions are read again after the
 * table is locked, so what is rebuilt is what was there when the load took the table, and read a
 * third time after the rebuild: anything not restored exactly fails the load, which rolls back.
 */
export class ConstraintRebuild {
  private deferral: ConstraintDeferral;
  private marks = { begin: 0, dropped: 0, loaded: 0, rebuilt: 0 };

  constructor(
    private readonly session: Session,
    private readonly ref: TableRef,
    private readonly planned: PlannedDeferral,
  ) {
    this.deferral = planned.plan;
  }

  /** The load's commit hooks with the drop after BEGIN and the rebuild before COMMIT added. */
  around(hooks: CommitHooks | undefined): CommitHooks {
    return {
      ...hooks,
      afterBegin: async () => {
        await this.dropBeforeRows();
        await hooks?.afterBegin?.();
      },
      beforeCommit: async (point, session) => {
        await this.rebuildAfterRows();
        await hooks?.beforeCommit?.(point, session);
      },
    };
  }

  report(): DeferredConstraintsReport {
    const s = (from: number, to: number): number => Number(((to - from) / 1000).toFixed(3));
    const { begin, dropped, loaded, rebuilt } = this.marks;
    return {
      rebuilt: this.deferral.deferred.map(
        (d) => `${d.kind} ${d.name}${d.kind === 'inbound foreign key' ? ` (${d.table})` : ''}`,
      ),
      kept: this.deferral.kept,
      seconds: { drop: s(begin, dropped), load: s(dropped, loaded), rebuild: s(loaded, rebuilt) },
    };
  }

  private async dropBeforeRows(): Promise<void> {
    this.marks.begin = performance.now();
    const { lock } = this.planned.plan;
    if (lock !== undefined) await this.session.execute(lock);
    const fresh = await this.planned.constraints.plan(this.ref);
    if ('refused' in fresh) throw new SluiceError('BAD_USAGE', fresh.refused);
    this.deferral = fresh;
    for (const statement of fresh.drop) await this.session.execute(statement);
    this.marks.dropped = performance.now();
  }

  private async rebuildAfterRows(): Promise<void> {
    this.marks.loaded = performance.now();
    const { settings, rebuild, fingerprint } = this.deferral;
    for (const statement of settings) await this.session.execute(statement);
    for (const { sql, name } of rebuild) {
      try {
        await this.session.execute(sql);
      } catch (error) {
        const { message, code } = this.session.describeError(error);
        throw new SluiceError(
          'LOAD_FAILED',
          `rebuilding ${name} after the rows failed: ${message}${code === undefined ? '' : ` (${code})`}`,
          {
            hint: 'the load is rolled back: the table, its rows and every key, index and foreign key are as they were. Remove the offending rows from the input, or load without --defer-constraints to have the first of them named by its line',
            cause: error,
          },
        );
      }
    }
    const after = await this.planned.constraints.plan(this.ref);
    const now = 'refused' in after ? [after.refused] : after.fingerprint;
    const missing = fingerprint.filter((f) => !now.includes(f));
    const extra = now.filter((f) => !fingerprint.includes(f));
    if (missing.length > 0 || extra.length > 0)
      throw new SluiceError(
        'LOAD_FAILED',
        `the keys and indexes rebuilt after the rows differ from the ones dropped before them (before: ${missing.join('; ') || 'nothing else'}; after: ${extra.join('; ') || 'nothing else'}); the load is rolled back`,
        { hint: 'this is a bug in sluice: please report it with the table definition' },
      );
    this.marks.rebuilt = performance.now();
  }
}

/**
 * What --defer-constraints would do on the load's table, with the sentences explain prints; throws
 * (exit 2) when it cannot be used there. A table the load creates has nothing to defer.
 */
export async function planConstraintDeferral(
  session: Session,
  ref: TableRef,
  created: boolean,
): Promise<{ readonly deferral: PlannedDeferral | undefined; readonly reasons: readonly string[] }> {
  const constraints = session.constraints;
  if (constraints === undefined)
    throw new SluiceError('BAD_USAGE', '--defer-constraints is not available on this database', {
      hint: 'drop --defer-constraints',
    });
  const prefix = (line: string): string => `--defer-constraints: ${line}`;
  if (created)
    return {
      deferral: undefined,
      reasons: [prefix('the table is created by this load, with no keys or indexes yet: nothing to defer')],
    };
  const plan = await constraints.plan(ref);
  if ('refused' in plan)
    throw new SluiceError('BAD_USAGE', `--defer-constraints cannot be used here: ${plan.refused}`, {
      hint: 'drop --defer-constraints',
    });
  const reasons = constraints.how.map(prefix);
  const own = plan.deferred.filter((d) => d.kind !== 'inbound foreign key');
  const inbound = plan.deferred.filter((d) => d.kind === 'inbound foreign key');
  reasons.push(
    prefix(
      own.length === 0
        ? 'nothing on this table can be deferred: the load runs as it would without the flag'
        : `rebuilt after the rows: ${own.map((d) => `${d.kind} ${d.name}`).join(', ')}`,
    ),
  );
  if (inbound.length > 0)
    reasons.push(
      prefix(
        `foreign keys of other tables that reference this one are dropped and added back in the same transaction (each checked again over its own table's rows): ${inbound.map((d) => `${d.name} (${d.table})`).join(', ')}`,
      ),
    );
  for (const k of plan.kept) reasons.push(prefix(`kept in place: ${k}`));
  reasons.push(
    prefix(
      plan.existingRows === 0
        ? 'the table is empty: the case where deferring pays most'
        : plan.existingRows === undefined
          ? 'the table is not empty (its size is not known: never analyzed): its rows are indexed again too, so deferring pays only if the input is much larger'
          : `the table holds about ${plan.existingRows} rows: they are indexed again too, so deferring pays only if the input is much larger`,
    ),
  );
  return { deferral: { constraints, plan }, reasons };
}
