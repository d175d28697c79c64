#!/usr/bin/env node
import { CommanderError } from 'commander';

import { EXIT_CODES, describeFailure } from './errors';
import { createProgram } from './program';

const program = createProgram({
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  outIsTTY: process.stdout.isTTY === true,
  errIsTTY: process.stderr.isTTY === true,
  size: () => ({ columns: process.stdout.columns || 80, rows: process.stdout.rows || 24 }),
});

// Exit once stdout has taken everything (a pipe may still be draining).
const exit = (code: number): void => {
  process.stdout.write('', () => process.exit(code));
};

program.parseAsync(process.argv).then(
  () => exit(EXIT_CODES.OK),
  (e: unknown) => {
    if (e instanceof CommanderError) return exit(e.exitCode);
    const { exitCode, message } = describeFailure(e);
    process.stderr.write(`monitor-cli: ${message}\n`);
    exit(exitCode);
  },
);
