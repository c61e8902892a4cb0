import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { interrupts } from '../../src/cli/bench-signals.js';

function harness(left: string[], dropping?: string) {
  const written: string[] = [];
  const stopped: string[] = [];
  const exits: number[] = [];
  const handler = interrupts({
    stop: (name) => stopped.push(name),
    remaining: () => left,
    dropping: () => dropping,
    write: (text) => written.push(text),
    exit: (code) => exits.push(code),
  });
  return { handler, written, stopped, exits };
}

describe('sluice bench interrupts (issue 17)', () => {
  it('stops on the first signal, reports progress on the second, and names what is left on the third', () => {
    const left = ['"sluice_bench_ab12_roles"', '"sluice_bench_ab12_users"'];
    const { handler, written, stopped, exits } = harness(left, '"sluice_bench_ab12_users"');
    handler.onSignal('SIGINT');
    assert.deepEqual(stopped, ['SIGINT']);
    assert.equal(handler.caught, 'SIGINT');
    assert.equal(written[0], 'sluice: SIGINT: stopping the bench and removing its scratch tables …\n');
    handler.onSignal('SIGINT');
    assert.equal(
      written[1],
      'sluice: still removing "sluice_bench_ab12_roles", "sluice_bench_ab12_users"; press Ctrl-C once more to leave them behind\n',
    );
    assert.deepEqual(exits, [], 'the second signal lets the cleanup finish');
    left.splice(0, 1);
    handler.onSignal('SIGTERM');
    assert.equal(
      written[2],
      'sluice: stopped; left behind: "sluice_bench_ab12_users" (the DROP of "sluice_bench_ab12_users" was under way and may still finish)\n' +
        'hint: drop it with: DROP TABLE IF EXISTS "sluice_bench_ab12_users";\n',
    );
    assert.deepEqual(exits, [130]);
    assert.deepEqual(stopped, ['SIGINT'], 'stopped once');
    assert.equal(handler.caught, 'SIGINT');
  });

  it('says so when nothing is left', () => {
    const { handler, written, exits } = harness([]);
    handler.onSignal('SIGTERM');
    handler.onSignal('SIGTERM');
    handler.onSignal('SIGTERM');
    assert.equal(written[1], 'sluice: nothing is left to remove; finishing\n');
    assert.equal(written[2], 'sluice: stopped; no scratch table is left\n');
    assert.deepEqual(exits, [130]);
  });
});
