import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { CONTRACT_VERSION_MAJOR, CONTRACT_VERSION_MINOR, DEVICE_PATH, IOCTLS } from '@wfpkit/ioctl-client';

/** Exit codes of `monitor-cli`; each failure message says how to fix it. */
export const EXIT_CODES = {
  /** Success. */
  OK: 0,
  /** The command failed. */
  FAILURE: 1,
  /** Bad arguments: the message says which. */
  USAGE: 2,
  /** Needs an elevated prompt. */
  NOT_ELEVATED: 3,
  /** The wfpkit driver is not installed or not running. */
  DRIVER_MISSING: 4,
} as const;

/** Where the program writes: data to `out`, messages to `err`. */
export interface ProgramIO {
  /** Data (tables, JSON). */
  out: (text: string) => void;
  /** Progress, warnings and errors. */
  err: (text: string) => void;
}

const version = (): string => (JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;

/**
 * Builds the `monitor-cli` command tree. Errors of commander (unknown option, missing
 * argument) exit with {@link EXIT_CODES}.USAGE.
 *
 * @example
 * ```ts
 * const program = createProgram({ out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) });
 * await program.parseAsync(['node', 'monitor-cli', 'contract', '--format', 'json']);
 * ```
 */
export function createProgram(io: ProgramIO): Command {
  const program = new Command('monitor-cli')
    .description('Watch what one application does on the network through the Windows Filtering Platform (or the wfpkit simulator).')
    .version(version(), '-V, --version', 'print the version')
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride((e: CommanderError) => {
      const code = e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? EXIT_CODES.OK : EXIT_CODES.USAGE;
      throw new CommanderError(code, e.code, e.message);
    });

  program
    .command('contract')
    .description('print the driver IOCTL contract this CLI speaks')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action((opts: { format: 'text' | 'json' }) => {
      const ioctls = Object.values(IOCTLS);
      if (opts.format === 'json') {
        io.out(JSON.stringify({ version: `${CONTRACT_VERSION_MAJOR}.${CONTRACT_VERSION_MINOR}`, device: DEVICE_PATH, ioctls }, null, 2) + '\n');
        return;
      }
      const rows = ioctls.map((i) => [i.name, `0x${i.code.toString(16).toUpperCase()}`, i.method, i.scope, String(i.inputSize), String(i.minOutput)]);
      const head = ['IOCTL', 'code', 'method', 'scope', 'in', 'min out'];
      const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
      const line = (r: string[]): string => r.map((v, c) => v.padEnd(widths[c] ?? 0)).join('  ').trimEnd();
      io.out(`wfpkit driver contract ${CONTRACT_VERSION_MAJOR}.${CONTRACT_VERSION_MINOR} on ${DEVICE_PATH}\n${line(head)}\n${rows.map(line).join('\n')}\n`);
    });

  return program;
}
