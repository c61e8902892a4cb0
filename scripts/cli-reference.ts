// Prints docs/cli-reference.md from the CLI's own help text; test/docs.test.ts checks they agree.
// Regenerate with: node --import tsx scripts/cli-reference.ts > docs/cli-reference.md
import { BENCH_HELP } from '../src/cli/bench-command.js';
import { EXPLAIN_HELP, LOAD_HELP } from '../src/cli/load-command.js';

export function cliReference(): string {
  return [
    '# CLI reference',
    '',
    'Generated from `sluice <command> --help` by `scripts/cli-reference.ts`; `npm test` checks it is current.',
    '',
    '## sluice load',
    '',
    '```',
    LOAD_HELP.trimEnd(),
    '```',
    '',
    '## sluice explain',
    '',
    '```',
    EXPLAIN_HELP.trimEnd(),
    '```',
    '',
    '## sluice bench',
    '',
    '```',
    BENCH_HELP.trimEnd(),
    '```',
    '',
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(cliReference());
