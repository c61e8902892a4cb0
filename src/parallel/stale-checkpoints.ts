import type { Session } from '../dialects/dialect.js';
import { SluiceError } from '../errors.js';
import { CHECKPOINT_TABLE, CheckpointTable } from '../resume/checkpoint-table.js';
import { shareOf } from './share-key.js';

/**
 * The checkpoint rows an earlier load of `path` (absolute) into `target` left that this parallel
 * load would not write itself: a serial load's, or the shares of a load with another N. A resume
 * refuses them (going on with other parts than they were written for would load rows twice, or
 * never), as it refuses the checkpoints of another file into the same table; a load from the
 * beginning gets them to remove. With `resume`, the rows of this load's own shares are not stale.
 */
export async function staleCheckpoints(
  session: Session,
  target: string,
  path: string,
  n: number,
  resume: boolean,
): Promise<string[]> {
  if ((await session.describeTable({ name: CHECKPOINT_TABLE })) === undefined) return [];
  const sources = await new CheckpointTable(session).sourcesOf(target);
  const serial = sources.filter((key) => key === path);
  const shares = sources.filter((key) => shareOf(key, path) !== undefined);
  if (!resume) return [...serial, ...shares];
  if (serial.length > 0)
    throw new SluiceError(
      'BAD_USAGE',
      `cannot resume the load of ${path} into ${target} with --parallel ${n}: the interrupted load ran without --parallel`,
      { hint: 'resume it without --parallel, or run the load without --resume to start again' },
    );
  const other = shares.map((key) => shareOf(key, path)!).find((s) => s.of !== n);
  if (other !== undefined)
    throw new SluiceError(
      'BAD_USAGE',
      `cannot resume the load of ${path} into ${target} with --parallel ${n}: the interrupted load ran with --parallel ${other.of}, whose parts end elsewhere`,
      { hint: `resume with --parallel ${other.of}, or run the load without --resume to start again` },
    );
  const files = sources.filter((key) => key !== path && shareOf(key, path) === undefined);
  if (shares.length === 0 && files.length > 0)
    throw new SluiceError(
      'BAD_USAGE',
      `cannot resume the load into ${target} from ${path}: the interrupted load${files.length > 1 ? 's' : ''} into ${target} read ${files.join(', ')}`,
      {
        hint: 'resume with the file the checkpoint was written for, or run the load without --resume to start again from the beginning',
      },
    );
  return [];
}
