/*
 * What every command gets: the global options, checked; where data goes (stdout or --output)
 * and where messages go (stderr); the backend, prepared, with the simulator's first line.
 */
import { Writable } from 'node:stream';

import { chooseBackend, prepareBackend, simulatorBanner } from './backend';
import type { BackendChoice } from './backend';
import { CliError, EXIT_CODES } from './errors';
import { CryptoPan, openOutput } from './output';
import type { AddressAnonymizer, OutputTarget } from './output';

/** Where the program writes: data to `out`, messages to `err`. */
export interface ProgramIO {
  /** Data (tables, JSON). */
  out: (text: string) => void;
  /** Progress, warnings and errors. */
  err: (text: string) => void;
  /** Whether `out` is a terminal (the live view draws only there). Default: false. */
  outIsTTY?: boolean;
  /** Whether `err` is a terminal (progress bars draw only there). Default: false. */
  errIsTTY?: boolean;
  /** Terminal size of `out` (default 80 × 24). */
  size?: () => { columns: number; rows: number };
}

/** Output formats. */
export type Format = 'text' | 'json' | 'jsonl';

/** The global options, as commander parsed them. */
export interface GlobalOptions {
  /** Output format. */
  format: Format;
  /** Write data here instead of stdout. */
  output?: string;
  /** Write the tagged packets here as pcapng. */
  pcapng?: string;
  /** Bytes of each packet kept. */
  snaplen: number;
  /** Crypto-PAn key. */
  anonymize?: string;
  /** Keep no payload bytes. */
  headersOnly?: boolean;
  /** Use the simulator. */
  sim?: boolean;
}

/** A command's context. */
export interface Context {
  /** The options. */
  readonly options: GlobalOptions;
  /** The IO of the program. */
  readonly io: ProgramIO;
  /** Where data goes (stdout, or --output written atomically). */
  readonly target: OutputTarget;
  /** Writes data to {@link Context.target}. */
  readonly data: (text: string) => void;
  /** Writes a message (stderr). */
  readonly log: (text: string) => void;
  /** True when data goes to a terminal (not --output, and stdout is a TTY). */
  readonly dataIsTTY: boolean;
  /** The backend. */
  readonly backend: BackendChoice;
  /** The --anonymize anonymiser. */
  readonly anonymizer: AddressAnonymizer | undefined;
}

/** Parses --snaplen. */
export function parseSnaplen(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new CliError(`--snaplen must be a whole number of bytes from 0 to 65535, got "${value}"`, EXIT_CODES.USAGE);
  return n;
}

/**
 * Builds the context of a command: checks the options, prepares the backend (for the simulator,
 * its first line on stderr says so), opens --output (the file appears, complete, when the
 * command succeeds).
 *
 * @param needsBackend - false for commands that touch no WFP (they print no backend line)
 */
export function makeContext(io: ProgramIO, options: GlobalOptions, needsBackend = true): Context {
  const backend = chooseBackend(options.sim === true);
  let anonymizer: AddressAnonymizer | undefined;
  if (options.anonymize !== undefined) {
    try {
      anonymizer = CryptoPan.fromOption(options.anonymize);
    } catch (e) {
      throw new CliError(e instanceof Error ? e.message : String(e), EXIT_CODES.USAGE);
    }
  }
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      io.out(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
      cb();
    },
  });
  const target = options.output !== undefined ? openOutput({ file: options.output }) : openOutput({ stream, chunkSize: 16 * 1024 });
  if (needsBackend) {
    if (backend.backend === 'sim') io.err(simulatorBanner(backend));
    prepareBackend(backend);
  }
  return {
    options,
    io,
    target,
    data: (t) => target.write(t),
    log: io.err,
    dataIsTTY: options.output === undefined && io.outIsTTY === true,
    backend,
    anonymizer,
  };
}
