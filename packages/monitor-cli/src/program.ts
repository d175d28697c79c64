import * as fs from 'node:fs';
import * as path from 'node:path';

import { Command, CommanderError, Option } from 'commander';
import { CONTRACT_VERSION_MAJOR, CONTRACT_VERSION_MINOR, DEVICE_PATH, IOCTLS } from '@wfpkit/ioctl-client';

import { addCalloutsCommand, countersCommand, delCalloutsCommand, doctorCommand, driverCommand, statusCommand } from './admin';
import { makeContext, parseSnaplen } from './context';
import type { Context, GlobalOptions, ProgramIO } from './context';
import { CliError, EXIT_CODES } from './errors';
import { writeJsonDocument, toJsonLine } from './output';
import { runSessionCommand } from './run';
import type { SessionCommand, SessionCommandOptions } from './run';

export { EXIT_CODES } from './errors';
export type { ProgramIO } from './context';

const version = (): string => (JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;

function positiveNumber(name: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new CliError(`${name} must be a positive number, got "${value}"`, EXIT_CODES.USAGE);
    return n;
  };
}

function wholeNumber(name: string): (value: string) => number {
  return (value: string) => {
    if (!/^\d+$/.test(value)) throw new CliError(`${name} must be a whole number, got "${value}"`, EXIT_CODES.USAGE);
    return Number(value);
  };
}

function fraction(name: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new CliError(`${name} must be a number from 0 to 1, got "${value}"`, EXIT_CODES.USAGE);
    return n;
  };
}

/** The driver's smallest and largest session ring (the contract's MIN_RING_BYTES / MAX_RING_BYTES). */
const RING_LIMITS = { min: 64 * 1024, max: 64 * 1024 * 1024 } as const;

/** Parses --ring-size: bytes, or a number with K/KiB or M/MiB (powers of 1024). */
function ringSize(value: string): number {
  const m = /^(\d+)\s*(k|kib|m|mib)?$/i.exec(value.trim());
  const unit = m?.[2]?.toLowerCase().startsWith('m') ? 1024 * 1024 : m?.[2] ? 1024 : 1;
  const n = m ? Number(m[1]) * unit : NaN;
  if (!(n >= RING_LIMITS.min && n <= RING_LIMITS.max) || n % 8 !== 0) {
    throw new CliError(`--ring-size must be a multiple of 8 bytes from 64K to 64M (e.g. 65536, 256K, 16M), got "${value}"`, EXIT_CODES.USAGE);
  }
  return n;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/**
 * Builds the `monitor-cli` command tree. Constructing it has no side effects (nothing is loaded,
 * opened or written until a command runs), so the docs generate the CLI reference from it. Errors
 * of commander (unknown option, missing argument) exit with {@link EXIT_CODES}.USAGE; a command that
 * ends with another code than 0 rejects `parseAsync` with a `CommanderError` carrying it; other
 * failures reject with the error (the bin maps them with {@link describeFailure}).
 *
 * @example
 * ```ts
 * const program = createProgram({ out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) });
 * await program.parseAsync(['node', 'monitor-cli', 'contract', '--format', 'json']);
 * ```
 */
export function createProgram(io: ProgramIO): Command {
  const program = new Command('monitor-cli')
    .description(
      'Watch what one application does on the network through the Windows Filtering Platform and the wfpkit driver; off Windows (or with --sim) through the wfpkit simulator.',
    )
    .version(version(), '-V, --version', 'print the version')
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride((e: CommanderError) => {
      const code = e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? EXIT_CODES.OK : EXIT_CODES.USAGE;
      throw new CommanderError(code, e.code, e.message);
    })
    .addOption(new Option('--format <format>', 'output format: data on stdout, logs and progress on stderr').choices(['text', 'json', 'jsonl']).default('text'))
    .option('--output <file>', 'write the data to FILE instead of stdout (it appears, complete, when the command ends)')
    .option('--pcapng <file>', 'write the tagged packets (snap bytes, comments with app and fate) to FILE as pcapng')
    .addOption(new Option('--snaplen <bytes>', 'bytes kept of each packet in --pcapng').default(128).argParser(parseSnaplen))
    .option(
      '--anonymize <key>',
      'anonymise IP addresses in every output with Crypto-PAn; KEY is 64 hex characters (the key itself) or a passphrase of 8 or more characters (the key is its SHA-256)',
    )
    .option('--headers-only', 'keep no payload bytes (packets cut after their TCP/UDP header)')
    .option('--sim', 'use the wfpkit simulator even on Windows')
    .showHelpAfterError('(run monitor-cli help for usage)');

  const ctxOf = (cmd: Command, needsBackend = true): Context => makeContext(io, cmd.optsWithGlobals<GlobalOptions>(), needsBackend);
  const finish = async (ctx: Context, run: () => Promise<number> | number): Promise<void> => {
    let code: number;
    try {
      code = await run();
      await ctx.target.close();
    } catch (e) {
      ctx.target.abort();
      throw e;
    }
    if (code !== EXIT_CODES.OK) throw new CommanderError(code, 'monitor-cli.exit', '');
  };

  program
    .command('contract')
    .description('print the driver IOCTL contract this CLI speaks')
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = ctxOf(cmd, false);
      await finish(ctx, () => {
        const ioctls = Object.values(IOCTLS);
        const value = { version: `${CONTRACT_VERSION_MAJOR}.${CONTRACT_VERSION_MINOR}`, device: DEVICE_PATH, ioctls };
        if (ctx.options.format === 'json') writeJsonDocument(ctx.target, value);
        else if (ctx.options.format === 'jsonl') for (const i of ioctls) ctx.data(toJsonLine(i) + '\n');
        else {
          const rows = ioctls.map((i) => [i.name, `0x${i.code.toString(16).toUpperCase()}`, i.method, i.scope, String(i.inputSize), String(i.minOutput)]);
          const head = ['IOCTL', 'code', 'method', 'scope', 'in', 'min out'];
          const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
          const line = (r: string[]): string => r.map((v, c) => v.padEnd(widths[c] ?? 0)).join('  ').trimEnd();
          ctx.data(`wfpkit driver contract ${CONTRACT_VERSION_MAJOR}.${CONTRACT_VERSION_MINOR} on ${DEVICE_PATH}\n${line(head)}\n${rows.map(line).join('\n')}\n`);
        }
        return EXIT_CODES.OK;
      });
    });

  program
    .command('addcallouts')
    .description("add wfpkit's persistent provider, sublayer and callouts (one transaction; idempotent)")
    .action(async (_o: unknown, cmd: Command) => {
      const ctx = ctxOf(cmd);
      await finish(ctx, () => addCalloutsCommand(ctx));
    });

  program
    .command('delcallouts')
    .alias('removecallouts')
    .description('delete every wfpkit object: filters, callouts, sublayer, provider (one transaction; idempotent)')
    .action(async (_o: unknown, cmd: Command) => {
      const ctx = ctxOf(cmd);
      await finish(ctx, () => delCalloutsCommand(ctx));
    });

  const sessionCommand = (name: SessionCommand, description: string, appRequired: boolean): Command => {
    const c = program.command(name).description(description);
    if (name === 'replay') c.argument('<file>', 'pcap or pcapng capture').option('--app <path>', 'the app every flow belongs to (default: the simulator default app)');
    else c.argument(appRequired ? '<app>' : '[app]', 'the program: a full path (C:\\...\\app.exe) or, on Windows, a running process name');
    if (name !== 'replay') c.option('--replay <file>', 'on the simulator: replay this capture as the traffic instead of a synthetic workload');
    c.option('--map <port=app>', 'replays: flows with this local port belong to this app (comma-separated, repeatable)', collect);
    if (name !== 'replay') {
      c.option('--duration <seconds>', 'stop after this many seconds', positiveNumber('--duration')).option(
        '--rate <flows>',
        'flows per second of the synthetic workload (simulator, default 4)',
        positiveNumber('--rate'),
      );
    }
    c.option('--ring-size <bytes>', "each session's driver event ring: bytes, or with K/M (64K to 64M, default 16M)", ringSize);
    c.option('--no-tag', 'replays: classify no packets (flow and stream layers only, nothing tagged): flows, protocols, SNI/Host, bytes');
    c.option('--seed <n>', "simulator: seed of the synthetic workload and of the packet model's latencies and drops (default 1)", wholeNumber('--seed')).option(
      '--drop-rate <p>',
      'simulator: probability (0..1) that a tagged packet is dropped inside the stack (default 0)',
      fraction('--drop-rate'),
    );
    c.action(async (arg: string | undefined, opts: SessionCommandOptions & { app?: string }, cmd: Command) => {
      const ctx = ctxOf(cmd);
      const o: SessionCommandOptions = name === 'replay' ? { ...opts, replay: arg ?? '' } : { ...opts, ...(arg !== undefined ? { app: arg } : {}) };
      await finish(ctx, () => runSessionCommand(ctx, name, o));
    });
    return c;
  };
  sessionCommand('monitor', 'watch one app: its flows, protocols, SNI/Host, bytes, tagged and dropped packets, live until Ctrl-C, then a summary', true);
  sessionCommand('replay', 'replay a capture through the simulator as fast as it goes and print the summary', false);
  sessionCommand('events', "stream the driver's raw event records for the app", false);
  sessionCommand('flows', 'stream a flow record for each of the app’s flows as it ends', false);
  sessionCommand('packets', 'stream a fate record for each tagged packet of the app', false);

  program
    .command('status')
    .description('driver loaded, contract version, callouts and filters installed, flows and tags in flight')
    .action(async (_o: unknown, cmd: Command) => {
      const ctx = ctxOf(cmd);
      await finish(ctx, () => statusCommand(ctx));
    });

  program
    .command('counters')
    .description("the driver's counters: ring size/used/high-water, events produced/delivered/dropped, tags in flight")
    .option('--live', 'redraw until Ctrl-C')
    .option('--interval <ms>', 'time between two reads with --live', positiveNumber('--interval'), 500)
    .action(async (opts: { live?: boolean; interval: number }, cmd: Command) => {
      const ctx = ctxOf(cmd);
      await finish(ctx, () => countersCommand(ctx, opts.live === true, opts.interval));
    });

  program
    .command('doctor')
    .description('check what monitoring needs (elevation, driver, test signing, BFE, callouts); each failed check says the fix')
    .action(async (_o: unknown, cmd: Command) => {
      const ctx = ctxOf(cmd);
      await finish(ctx, () => doctorCommand(ctx));
    });

  program
    .command('driver')
    .description('install, uninstall, start or stop the wfpkit driver service (Windows, Service Control Manager)')
    .addArgument(new Command().createArgument('<action>', 'install | uninstall | start | stop').choices(['install', 'uninstall', 'start', 'stop']))
    .option('--sys <file>', 'the wfpkit.sys to install (default: the one @wfpkit/driver built)')
    .action(async (action: string, opts: { sys?: string }, cmd: Command) => {
      const ctx = ctxOf(cmd, false);
      await finish(ctx, () => driverCommand(ctx, action, opts.sys));
    });

  return program;
}
