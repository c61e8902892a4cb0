/**
 * What Ctrl-C (SIGINT) and SIGTERM do to a running `sluice bench`. The first stops the bench: the
 * running rung's child is killed and the scratch tables are dropped, then the bench exits 130.
 * A second, while that cleanup runs, says which tables are still being dropped and lets it finish.
 * A third leaves at once and prints exactly what is left, with the statement that drops it.
 */
export interface Interrupts {
  /** Called for each signal the process receives. */
  onSignal(name: NodeJS.Signals): void;
  /** The first signal's name, once one came. */
  readonly caught: NodeJS.Signals | undefined;
}

export interface InterruptHooks {
  /** Stops the bench (aborts its signal): the first signal. */
  stop(name: NodeJS.Signals): void;
  /** The scratch tables not dropped yet, as the database names them. */
  remaining(): readonly string[];
  /** The one of them whose DROP is under way, if any. */
  dropping(): string | undefined;
  write(text: string): void;
  /** Leaves now: the third signal. */
  exit(code: number): void;
}

export function interrupts(hooks: InterruptHooks): Interrupts {
  let count = 0;
  let caught: NodeJS.Signals | undefined;
  return {
    get caught() {
      return caught;
    },
    onSignal(name) {
      count++;
      caught ??= name;
      const left = hooks.remaining();
      const them = left.length === 1 ? 'it' : 'them';
      if (count === 1) {
        hooks.write(`sluice: ${name}: stopping the bench and removing its scratch tables …\n`);
        hooks.stop(name);
      } else if (count === 2) {
        hooks.write(
          left.length === 0
            ? 'sluice: nothing is left to remove; finishing\n'
            : `sluice: still removing ${left.join(', ')}; press Ctrl-C once more to leave ${them} behind\n`,
        );
      } else {
        const dropping = hooks.dropping();
        const under =
          dropping === undefined ? '' : ` (the DROP of ${dropping} was under way and may still finish)`;
        const drops = left.map((t) => `DROP TABLE IF EXISTS ${t};`).join(' ');
        hooks.write(
          left.length === 0
            ? 'sluice: stopped; no scratch table is left\n'
            : `sluice: stopped; left behind: ${left.join(', ')}${under}\nhint: drop ${them} with: ${drops}\n`,
        );
        hooks.exit(130);
      }
    },
  };
}
