/**
 * Formatters: records as JSON values (bigint as strings, FILETIMEs as ISO text plus the raw
 * value, addresses anonymised on request), and as one JSON document, JSON lines or a text table.
 */
import { FILETIME_UNIX_EPOCH, formatAddress } from '@wfpkit/tagging';
import type { AddressAnonymizer } from './cryptopan';
import { anonymizeHostText } from './cryptopan';
import type { OutputTarget } from './sink';

/** The values of `--format`. */
export type OutputFormat = 'text' | 'json' | 'jsonl';

/** Every value of {@link OutputFormat}, for option parsers. */
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['text', 'json', 'jsonl'];

/** A JSON value as {@link toJsonValue} produces it. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * Names of record members that hold a FILETIME as a `bigint` (PacketFate's `taggedAt` …
 * `endedAt`, RecordHeader's `timestamp`, FlowRecord's `startTime`/`endTime`). In JSON each
 * becomes the ISO 8601 time with 100 ns digits, and a sibling `<name>Filetime` keeps the raw
 * FILETIME as a decimal string.
 */
export const FILETIME_MEMBERS: ReadonlySet<string> = new Set([
  'taggedAt',
  'enteredAt',
  'exitedAt',
  'sendCompletedAt',
  'recvCompletedAt',
  'discardedAt',
  'removedAt',
  'endedAt',
  'timestamp',
  'startTime',
  'endTime',
]);

/**
 * Formats a FILETIME as ISO 8601 UTC with all seven fractional digits
 * (`2024-01-01T00:00:00.1234567Z`).
 *
 * @param filetime - 100 ns ticks since 1601-01-01 UTC.
 * @example
 * ```ts
 * import { filetimeToIso } from 'monitor-cli';
 * filetimeToIso(116_444_736_000_000_001n); // '1970-01-01T00:00:00.0000001Z'
 * ```
 */
export function filetimeToIso(filetime: bigint): string {
  const ticks = filetime - FILETIME_UNIX_EPOCH;
  let secs = ticks / 10_000_000n;
  let sub = ticks % 10_000_000n;
  if (sub < 0n) {
    sub += 10_000_000n;
    secs -= 1n;
  }
  if (secs !== isoCache.secs) {
    isoCache.secs = secs;
    isoCache.prefix = new Date(Number(secs) * 1000).toISOString().slice(0, 19); // YYYY-MM-DDTHH:MM:SS
  }
  return `${isoCache.prefix}.${sub.toString().padStart(7, '0')}Z`;
}

/** The last second {@link filetimeToIso} formatted (records come in time order, so it mostly hits). */
const isoCache: { secs: bigint; prefix: string } = { secs: -1n << 64n, prefix: '' };

/** Options of {@link toJsonValue} and the record writers. */
export interface JsonOptions {
  /** Anonymise every address (byte fields named `*address*`, and strings that are an address, `address:port` or `[IPv6]:port`). */
  anonymizer?: AddressAnonymizer;
}

const ADDRESS_KEY = /address$/i;

function convert(value: unknown, key: string, parent: Record<string, unknown> | undefined, options: JsonOptions): JsonValue | undefined {
  switch (typeof value) {
    case 'string':
      return options.anonymizer !== undefined ? anonymizeHostText(options.anonymizer, value) : value;
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'boolean':
      return value;
    case 'bigint':
      return value.toString();
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    default:
      break;
  }
  if (value === null) return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof Uint8Array) {
    const version = typeof parent?.ipVersion === 'number' ? parent.ipVersion : undefined;
    if (ADDRESS_KEY.test(key) && (version === 4 || version === 6)) {
      const bytes = options.anonymizer !== undefined ? options.anonymizer.anonymizeBytes(version, value) : value;
      return formatAddress(version, bytes);
    }
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex');
  }
  if (Array.isArray(value)) return value.map((v) => convert(v, key, parent, options) ?? null);
  return convertObject(value as Record<string, unknown>, options);
}

function convertObject(value: Record<string, unknown>, options: JsonOptions): { [key: string]: JsonValue } {
  const out: { [key: string]: JsonValue } = {};
  for (const k of Object.keys(value)) {
    const v = value[k];
    if (typeof v === 'bigint' && FILETIME_MEMBERS.has(k)) {
      out[k] = v >= 0n && v <= 0xffff_ffff_ffff_ffffn ? filetimeToIso(v) : v.toString();
      out[`${k}Filetime`] = v.toString();
      continue;
    }
    const c = convert(v, k, value, options);
    if (c !== undefined) out[k] = c;
  }
  return out;
}

/**
 * Converts a record (PacketFate, FlowRecord, a decoded driver record, a summary…) to a
 * plain JSON value: `bigint` → decimal string; FILETIME members (see {@link FILETIME_MEMBERS})
 * → ISO text plus `<name>Filetime`; `Date` → ISO text; a `Uint8Array` named `*address*` next
 * to an `ipVersion` → address text; other byte arrays → hex; `undefined` members dropped.
 * With `options.anonymizer`, every address is anonymised.
 *
 * @param value - Any record.
 * @param options - Anonymisation.
 * @example
 * ```ts
 * import { toJsonValue } from 'monitor-cli';
 * toJsonValue({ flowId: 7n, taggedAt: 116_444_736_000_000_000n });
 * // { flowId: '7', taggedAt: '1970-01-01T00:00:00.0000000Z', taggedAtFiletime: '116444736000000000' }
 * ```
 */
export function toJsonValue(value: unknown, options: JsonOptions = {}): JsonValue {
  return convert(value, '', undefined, options) ?? null;
}

/** Serialises like `JSON.stringify(toJsonValue(value))`, in one pass without the intermediate object. */
function serialize(value: unknown, key: string, parent: Record<string, unknown> | undefined, options: JsonOptions): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(options.anonymizer !== undefined ? anonymizeHostText(options.anonymizer, value) : value);
    case 'number':
      return Number.isFinite(value) ? String(value) : `"${String(value)}"`;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return `"${value.toString()}"`;
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    default:
      break;
  }
  if (value === null) return 'null';
  if (value instanceof Date || value instanceof Uint8Array) return JSON.stringify(convert(value, key, parent, options));
  if (Array.isArray(value)) {
    let s = '[';
    for (let i = 0; i < value.length; i++) s += `${i === 0 ? '' : ','}${serialize(value[i], key, parent, options) ?? 'null'}`;
    return `${s}]`;
  }
  const obj = value as Record<string, unknown>;
  let s = '{';
  let first = true;
  for (const k in obj) {
    if (!Object.prototype.hasOwnProperty.call(obj, k)) continue;
    const v = obj[k];
    let part: string | undefined;
    if (typeof v === 'bigint' && FILETIME_MEMBERS.has(k)) {
      const iso = v >= 0n && v <= 0xffff_ffff_ffff_ffffn ? filetimeToIso(v) : v.toString();
      part = `${JSON.stringify(k)}:"${iso}",${JSON.stringify(`${k}Filetime`)}:"${v.toString()}"`;
    } else {
      const c = serialize(v, k, obj, options);
      if (c !== undefined) part = `${JSON.stringify(k)}:${c}`;
    }
    if (part === undefined) continue;
    s += first ? part : `,${part}`;
    first = false;
  }
  return `${s}}`;
}

/**
 * One record as a JSON line (no newline at the end): the same text as
 * `JSON.stringify(toJsonValue(value, options))`, made in one pass.
 *
 * @param value - Any record.
 * @param options - Anonymisation.
 */
export function toJsonLine(value: unknown, options: JsonOptions = {}): string {
  return serialize(value, '', undefined, options) ?? 'null';
}

/** ANSI styles {@link renderTable} can apply to a cell when colour is on. */
export type CellStyle = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'cyan';

const STYLE_CODES: Record<CellStyle, string> = { bold: '1', dim: '2', red: '31', green: '32', yellow: '33', cyan: '36' };

/** One column of a text table. */
export interface TableColumn<T> {
  /** Header text. */
  header: string;
  /** The cell of a row; `undefined` prints as `-`. */
  value: (row: T) => string | number | bigint | undefined;
  /** Alignment (default: right for numbers and bigints, else left). */
  align?: 'left' | 'right';
  /** Longest cell; longer text is cut with `…` (default unlimited). */
  maxWidth?: number;
  /** Style of a cell when colour is on. */
  style?: (row: T) => CellStyle | undefined;
}

/** Options of {@link renderTable} and the text record writer. */
export interface TableOptions {
  /** Use ANSI colour (see {@link useColor}); default false. */
  color?: boolean;
  /** Spaces between columns (default 2). */
  gap?: number;
}

/**
 * Decides whether to colour output written to `stream`: only when it is a TTY, `NO_COLOR` is
 * unset or empty (https://no-color.org) and `TERM` is not `dumb`.
 *
 * @param stream - Where the output goes.
 * @param env - The environment (default `process.env`).
 * @example
 * ```ts
 * import { useColor } from 'monitor-cli';
 * const color = useColor(process.stdout);
 * ```
 */
export function useColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (stream.isTTY !== true) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return env.TERM !== 'dumb';
}

interface Cell {
  text: string;
  right: boolean;
  style: CellStyle | undefined;
}

function cellsOf<T>(columns: readonly TableColumn<T>[], row: T): Cell[] {
  return columns.map((c) => {
    const v = c.value(row);
    let text = v === undefined ? '-' : String(v);
    if (c.maxWidth !== undefined && text.length > c.maxWidth) text = `${text.slice(0, Math.max(0, c.maxWidth - 1))}…`;
    return { text, right: c.align !== undefined ? c.align === 'right' : typeof v === 'number' || typeof v === 'bigint', style: c.style?.(row) };
  });
}

function line(cells: readonly Cell[], widths: readonly number[], options: TableOptions): string {
  const gap = ' '.repeat(options.gap ?? 2);
  const parts = cells.map((cell, i) => {
    const w = widths[i] ?? 0;
    const padded = cell.right ? cell.text.padStart(w) : i === cells.length - 1 ? cell.text : cell.text.padEnd(w);
    return options.color === true && cell.style !== undefined ? `\x1b[${STYLE_CODES[cell.style]}m${padded}\x1b[0m` : padded;
  });
  return parts.join(gap).trimEnd();
}

/** Header cells, each aligned as its column (right when `align` says so, or when the column holds numbers). */
function headerCells<T>(columns: readonly TableColumn<T>[], body: readonly Cell[][]): Cell[] {
  return columns.map((c, i) => ({ text: c.header, right: c.align !== undefined ? c.align === 'right' : body.some((r) => r[i]?.right === true), style: 'bold' as const }));
}

/**
 * Renders rows as a text table: a header line, then one line per row, each column as wide
 * as its widest cell, numbers right-aligned. Colour only when `options.color`.
 *
 * @param columns - The columns.
 * @param rows - The rows.
 * @param options - Colour and gap.
 * @returns The table, each line ending with a newline.
 * @example
 * ```ts
 * import { renderTable } from 'monitor-cli';
 * renderTable([{ header: 'host', value: (r: { h: string; n: number }) => r.h }, { header: 'bytes', value: (r) => r.n }],
 *   [{ h: 'example.com', n: 1200 }]);
 * // 'host         bytes\nexample.com   1200\n'
 * ```
 */
export function renderTable<T>(columns: readonly TableColumn<T>[], rows: Iterable<T>, options: TableOptions = {}): string {
  const body = Array.from(rows, (r) => cellsOf(columns, r));
  const head = headerCells(columns, body);
  const widths = head.map((h, i) => Math.max(h.text.length, ...body.map((r) => r[i]?.text.length ?? 0)));
  return [head, ...body].map((cells) => `${line(cells, widths, options)}\n`).join('');
}

/** Writes records one at a time in one {@link OutputFormat}; see {@link createRecordWriter}. */
export interface RecordWriter<T> {
  /** Writes (or, for text, may hold back until the column widths are known) one record. */
  write(record: T): void;
  /** Writes what is held back and closes the document (`]` for json); does not close the target. */
  end(): void;
  /** Records written. */
  readonly count: number;
}

/** Options of {@link createRecordWriter}. */
export interface RecordWriterOptions<T> extends JsonOptions, TableOptions {
  /** Columns of the text table (required for `text`). */
  columns?: readonly TableColumn<T>[];
  /** Text only: rows held back to size the columns before the table starts streaming (default 500). Later wider cells widen only their own line. */
  sizingRows?: number;
  /** Text only: the line printed instead of a table when no record came (default: the header alone). */
  empty?: string;
}

/**
 * Creates a writer that streams records to `target`:
 * - `jsonl`: one JSON object per line ({@link toJsonLine});
 * - `json`: one JSON document, an array of the records, one record per line (streamed: memory stays flat);
 * - `text`: a table with `options.columns`; the first `sizingRows` rows size the columns.
 *
 * @param format - The format.
 * @param target - Where to write.
 * @param options - Columns, anonymisation, colour.
 * @throws TypeError for `text` without columns.
 * @example
 * ```ts
 * import { createRecordWriter, openOutput } from 'monitor-cli';
 * const out = openOutput({ file: 'fates.jsonl' });
 * const w = createRecordWriter('jsonl', out);
 * for (const fate of fates) w.write(fate);
 * w.end();
 * await out.close();
 * ```
 */
export function createRecordWriter<T>(format: OutputFormat, target: OutputTarget, options: RecordWriterOptions<T> = {}): RecordWriter<T> {
  const json: JsonOptions = options.anonymizer !== undefined ? { anonymizer: options.anonymizer } : {};
  let count = 0;
  if (format === 'jsonl') {
    return {
      write(record: T) {
        target.write(`${toJsonLine(record, json)}\n`);
        count++;
      },
      end() {},
      get count() {
        return count;
      },
    };
  }
  if (format === 'json') {
    let ended = false;
    return {
      write(record: T) {
        target.write(`${count === 0 ? '[\n' : ',\n'}${toJsonLine(record, json)}`);
        count++;
      },
      end() {
        if (ended) return;
        ended = true;
        target.write(count === 0 ? '[]\n' : '\n]\n');
      },
      get count() {
        return count;
      },
    };
  }
  const columns = options.columns;
  if (columns === undefined) throw new TypeError('createRecordWriter: the text format needs columns');
  const sizing = options.sizingRows ?? 500;
  const held: Cell[][] = [];
  let widths: number[] | undefined;
  const startTable = (): void => {
    const head = headerCells(columns, held);
    widths = head.map((h, i) => Math.max(h.text.length, ...held.map((r) => r[i]?.text.length ?? 0)));
    target.write(`${line(head, widths, options)}\n`);
    for (const r of held) target.write(`${line(r, widths, options)}\n`);
    held.length = 0;
  };
  let ended = false;
  return {
    write(record: T) {
      const cells = cellsOf(columns, record);
      count++;
      if (widths === undefined) {
        held.push(cells);
        if (held.length >= sizing) startTable();
      } else target.write(`${line(cells, widths, options)}\n`);
    },
    end() {
      if (ended) return;
      ended = true;
      if (count === 0 && options.empty !== undefined) target.write(`${options.empty}\n`);
      else if (widths === undefined) startTable();
    },
    get count() {
      return count;
    },
  };
}

/**
 * Writes one value as a whole JSON document (pretty-printed, converted by {@link toJsonValue}).
 *
 * @param target - Where to write.
 * @param value - The document (a summary, a status object…).
 * @param options - Anonymisation.
 */
export function writeJsonDocument(target: OutputTarget, value: unknown, options: JsonOptions = {}): void {
  target.write(`${JSON.stringify(toJsonValue(value, options), null, 2)}\n`);
}
