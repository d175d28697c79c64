/*
 * The reference answers: what tshark (Wireshark's dissectors) reads from a capture, per TCP stream.
 */
import { spawn, spawnSync } from 'node:child_process';

import { endpointKey } from './flows';
import type { FlowFields } from './flows';

/** The fields of the reference command, in its order. */
export const TSHARK_FIELDS = [
  'tcp.stream',
  'tls.handshake.extensions_server_name',
  'tls.handshake.extensions_alpn_str',
  'http.host',
  'http.request.method',
] as const;

/** A "decode as" rule: tshark finds TLS and HTTP by port and by heuristics that miss some high ports. */
export interface DecodeAs {
  readonly port: number;
  readonly protocol: 'tls' | 'http';
}

/**
 * The reference command for a capture: `tshark -r FILE -T fields -e tcp.stream -e … -e
 * http.request.method`, with `-d tcp.port==P,tls` for each {@link DecodeAs} rule.
 */
export function tsharkFieldsArgs(file: string, fields: readonly string[] = TSHARK_FIELDS, decodeAs: readonly DecodeAs[] = []): string[] {
  return ['-r', file, ...decodeAs.flatMap((d) => ['-d', `tcp.port==${d.port},${d.protocol}`]), '-T', 'fields', ...fields.flatMap((f) => ['-e', f])];
}

/** Whether `tshark` can be run. */
export function haveTshark(): boolean {
  const r = spawnSync('tshark', ['--version'], { stdio: 'ignore' });
  return !r.error && r.status === 0;
}

/** Runs tshark and resolves with its standard output; rejects with its standard error when it fails. */
export function runTshark(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('tshark', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else reject(new Error(`tshark ${args.join(' ')} exited with ${String(code)}: ${Buffer.concat(err).toString('utf8').trim()}`));
    });
  });
}

/** One TCP stream as tshark sees it. */
export interface TsharkFlow extends FlowFields {
  /** tshark's `tcp.stream` number. */
  readonly stream: number;
  /** The two endpoints, client first when tshark saw the SYN (see {@link endpointKey}). */
  readonly key: string;
  /** Client endpoint (`addr port`), the SYN sender or, without a SYN, the first packet's source. */
  readonly client: { readonly address: string; readonly port: number };
  /** Server endpoint. */
  readonly server: { readonly address: string; readonly port: number };
}

/** Values of a `-T fields` column: tshark separates a field's occurrences with ','. */
function values(column: string | undefined): string[] {
  if (column === undefined || column === '') return [];
  return column.split(',').filter((v) => v.length > 0);
}

/**
 * The reference answers for a capture: every TCP stream with the SNI, ALPN protocol names, HTTP Host
 * and request methods tshark reports for it (the command of {@link tsharkFieldsArgs}), and its
 * endpoints (a second tshark run over the same file) so streams can be matched to driver flows by
 * 5-tuple.
 */
export async function tsharkFlows(file: string, decodeAs: readonly DecodeAs[] = []): Promise<Map<number, TsharkFlow>> {
  const [fieldsOut, tupleOut] = await Promise.all([
    runTshark(tsharkFieldsArgs(file, TSHARK_FIELDS, decodeAs)),
    runTshark(
      tsharkFieldsArgs(file, [
        'tcp.stream',
        'ip.src',
        'ipv6.src',
        'tcp.srcport',
        'ip.dst',
        'ipv6.dst',
        'tcp.dstport',
        'tcp.flags.syn',
        'tcp.flags.ack',
      ]),
    ),
  ]);
  const ends = new Map<number, { client: { address: string; port: number }; server: { address: string; port: number }; syn: boolean }>();
  for (const line of tupleOut.split('\n')) {
    const [stream, src4, src6, sport, dst4, dst6, dport, syn, ack] = line.split('\t');
    if (stream === undefined || stream === '') continue;
    const n = Number(stream);
    const isSyn = (syn === '1' || syn === 'True') && !(ack === '1' || ack === 'True');
    const known = ends.get(n);
    if (known && (known.syn || !isSyn)) continue;
    ends.set(n, {
      client: { address: src4 || src6 || '', port: Number(sport) },
      server: { address: dst4 || dst6 || '', port: Number(dport) },
      syn: isSyn,
    });
  }
  const flows = new Map<number, TsharkFlow>();
  const sets = new Map<number, { sni: Set<string>; alpn: Set<string>; host: Set<string>; method: Set<string> }>();
  for (const line of fieldsOut.split('\n')) {
    const [stream, sni, alpn, host, method] = line.split('\t');
    if (stream === undefined || stream === '') continue;
    const n = Number(stream);
    let s = sets.get(n);
    if (!s) {
      s = { sni: new Set(), alpn: new Set(), host: new Set(), method: new Set() };
      sets.set(n, s);
    }
    for (const v of values(sni)) s.sni.add(v);
    for (const v of values(alpn)) s.alpn.add(v);
    for (const v of values(host)) s.host.add(v);
    for (const v of values(method)) s.method.add(v);
  }
  for (const [n, s] of sets) {
    const e = ends.get(n);
    if (!e) throw new Error(`tshark reported stream ${n} without endpoints`);
    flows.set(n, {
      stream: n,
      key: endpointKey(e.client.address, e.client.port, e.server.address, e.server.port),
      client: e.client,
      server: e.server,
      sni: [...s.sni].sort(),
      alpn: [...s.alpn].sort(),
      host: [...s.host].sort(),
      method: [...s.method].sort(),
    });
  }
  return flows;
}
