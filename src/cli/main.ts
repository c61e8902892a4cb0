import { isSluiceError } from '../errors.js';
import { benchCommand } from './bench-command.js';
import { explainCommand, loadCommand, type CommandContext } from './load-command.js';
import { debugText, errorText } from './output.js';
import { parseLoadArgs } from './options.js';
import { packageVersion } from './version.js';

const HELP = `sluice: move large amounts of data into SQL databases, as fast as the database can take it.

  sluice load <file|-> [options]     load a CSV, TSV, NDJSON or JSON file into a table
  sluice explain <file|-> [options]  print the plan for a load; nothing is written
  sluice bench [options]             measure every insert method on your database (scratch tables)
  sluice --version                   print the version

Run sluice <command> --help for the options. Databases: --db sqlite:FILE (default ./sluice.db),
postgres://…, mysql://…; or DATABASE_URL.
`;

const COMMANDS: Record<string, (context: CommandContext) => Promise<number>> = {
  load: loadCommand,
  explain: explainCommand,
  bench: benchCommand,
};

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  const context: CommandContext = {
    argv: rest,
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    stderrStream: process.stderr,
  };
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(HELP);
    return command === undefined ? 2 : 0;
  }
  if (command === '--version') {
    process.stdout.write(packageVersion() + '\n');
    return 0;
  }
  const run = COMMANDS[command];
  if (run === undefined) {
    process.stderr.write(
      `sluice: unknown command ${JSON.stringify(command)}\nhint: sluice load, sluice explain, sluice bench\n`,
    );
    return 2;
  }
  try {
    return await run(context);
  } catch (error) {
    const url = urlOf(rest);
    process.stderr.write(errorText(error, url));
    if (process.env.SLUICE_DEBUG) process.stderr.write(debugText(error, url));
    return isSluiceError(error) ? error.exitCode : 1;
  }
}

/** The URL in use, so its password can be scrubbed from any message (even one from a driver). */
function urlOf(argv: readonly string[]): string | undefined {
  try {
    return parseLoadArgs(argv, process.env).db;
  } catch {
    const i = argv.indexOf('--db');
    return i === -1 ? process.env.DATABASE_URL : argv[i + 1];
  }
}

process.exitCode = await main(process.argv.slice(2));
