#!/usr/bin/env node
import { CommanderError } from 'commander';
import { EXIT_CODES, createProgram } from './program';

const program = createProgram({ out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) });
program.parseAsync(process.argv).then(
  () => process.exit(EXIT_CODES.OK),
  (e: unknown) => {
    if (e instanceof CommanderError) process.exit(e.exitCode);
    process.stderr.write(`monitor-cli: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(EXIT_CODES.FAILURE);
  },
);
