import type { DeferrableConstraints } from '../dialect.js';

/**
 * --defer-constraints on MySQL/MariaDB: refused, because nothing it could do stays safe. InnoDB
 * commits every ALTER TABLE (DROP INDEX, ADD FOREIGN KEY) at once, so keys dropped before the rows
 * could not be put back by a ROLLBACK; `unique_checks = 0` lets a duplicate into a secondary unique
 * index without an error; `foreign_key_checks = 0` lets orphans in without one.
 */
export const MYSQL_CONSTRAINTS: DeferrableConstraints = {
  how: [],
  plan: async () => ({
    refused:
      'on MySQL/MariaDB nothing can be deferred safely: InnoDB commits every ALTER TABLE at once (keys dropped before the rows could not be restored by a rollback), unique_checks = 0 can let a duplicate into a unique index, and foreign_key_checks = 0 lets orphans in; the load keeps its keys',
  }),
};
