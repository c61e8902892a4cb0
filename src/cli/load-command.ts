import { open } from '../handle.js';
import { validateOptions } from '../options.js';
import { progressDisplay } from '../progress/progress.js';
import { redactUrl } from '../util/redact-url.js';
import type { Reject } from '../rejects/reject.js';
import { isSluiceError } from '../errors.js';
import { parseLoadArgs, optionHelp, type ParsedLoadArgs } from './options.js';
import { explainText, notesText, reportJson, summaryLine, type Streams } from './output.js';

export const LOAD_HELP = `Load a CSV, TSV, NDJSON or JSON file (or stdin) into a table, as fast as the database takes it.

  sluice load users.csv                       # into ./sluice.db, table "users"
  sluice load users.csv --db postgres://localhost/app --create
  cat events.ndjson | sluice load - --format ndjson --table events --db sqlite:app.db

Usage: sluice load <file|-> [options]

${optionHelp()}
`;

export const EXPLAIN_HELP = `Print the plan for a load (method, batch size, transaction, SQL, and why) without writing anything.

  sluice explain users.csv --db postgres://localhost/app

Usage: sluice explain <file|-> [options]   (the options of sluice load)

${optionHelp()}
`;

export interface CommandContext extends Streams {
  readonly argv: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly stderrStream: NodeJS.WriteStream;
}

/** `sluice load`: argv → options → handle.load() → summary. Returns the exit code. */
export async function loadCommand(context: CommandContext): Promise<number> {
  const args = parseLoadArgs(context.argv, context.env);
  if (args.help) {
    context.stdout.write(LOAD_HELP);
    return 0;
  }
  // Bad options (an unwritable --rejects among them) fail before the database is even opened:
  // opening a SQLite URL creates its file.
  validateOptions(args.options);
  const db = await open(args.db);
  const display = progressDisplay(context.stderrStream, !args.quiet);
  try {
    // Skip mode without a rejects file: each rejected row is reported on stderr instead.
    const source = args.input === '-' ? '<stdin>' : args.input;
    const rejects =
      args.options.onError === 'skip' && args.options.rejects === undefined && !args.quiet
        ? (r: Reject) => context.stderr.write(`sluice: skipped ${source}:${r.line}: ${r.reason}\n`)
        : args.options.rejects;
    let report;
    try {
      report = await db.load(args.table, args.input, {
        ...args.options,
        rejects,
        onProgress: (p) => display.update(p),
        onNotice: (message) => {
          display.stop();
          context.stderr.write(`sluice: ${message}\n`);
        },
      });
    } catch (error) {
      throw withResumeCommand(error, args, context.argv);
    }
    display.finish(report.rowsLoaded);
    if (report.ddl !== undefined && !args.quiet)
      context.stderr.write(`created table ${report.table}:\n${report.ddl};\n`);
    if (args.json) context.stdout.write(reportJson(report) + '\n');
    else if (!args.quiet)
      context.stdout.write(summaryLine(report, redactUrl(args.db)) + '\n' + notesText(report));
    return 0;
  } finally {
    display.stop();
    await db.close();
  }
}

/** A failed checkpointed load names the command that goes on from its last checkpoint. */
function withResumeCommand(error: unknown, args: ParsedLoadArgs, argv: readonly string[]): unknown {
  if (!isSluiceError(error) || (error.rowsCommitted ?? 0) === 0) return error;
  // A parallel load commits in chunks whether --commit-every is given or not.
  const chunked = args.options.commitEvery !== undefined || (args.options.parallel ?? 1) > 1;
  if (!chunked || args.input === '-') return error;
  const words = ['sluice', 'load', ...argv.map((a) => redactUrl(a))];
  if (args.options.resume !== true) words.push('--resume');
  const command = words.map(shellWord).join(' ');
  return error.with({ hint: [error.hint, `resume with: ${command}`].filter((h) => h).join('\n') });
}

function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/** `sluice explain`: the same arguments, the plan printed, nothing written. */
export async function explainCommand(context: CommandContext): Promise<number> {
  const args = parseLoadArgs(context.argv, context.env);
  if (args.help) {
    context.stdout.write(EXPLAIN_HELP);
    return 0;
  }
  validateOptions(args.options);
  // Read only: a missing SQLite file is not created, a server session cannot write.
  const db = await open(args.db, { readOnly: true });
  try {
    const report = await db.explain(args.table, args.input, args.options);
    context.stdout.write(args.json ? JSON.stringify(report) + '\n' : explainText(report, args.input));
    return 0;
  } finally {
    await db.close();
  }
}
