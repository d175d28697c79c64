import * as childProcess from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { layOut } from '../src/layout';
import type { LaidOutStruct } from '../src/layout';
import { schema } from '../src/schema';
import type { RecordDef } from '../src/types';

export const repoRoot = path.resolve(__dirname, '..', '..', '..');
export const includeDir = path.join(repoRoot, 'packages', 'driver', 'include');
export const goldenSource = path.join(__dirname, 'fixtures', 'golden.c');

/** FNV-1a 64 of "<struct>.<member>", as golden.c computes it. */
export function fx(struct: string, member: string): bigint {
  let h = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(`${struct}.${member}`, 'utf8')) {
    h ^= BigInt(byte);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h;
}

const APP_PATH = '\\device\\harddiskvolume3\\program files\\w\u00fcrfel\\curl.exe';
const pattern = (n: number, mul: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * mul + 1) & 0xff);

/** Tail contents, the same as in golden.c. */
export const TAILS: Record<string, Record<string, string | Uint8Array>> = {
  FlowEstablishedRecord: { appPath: APP_PATH },
  FlowClassifiedRecord: {
    sni: 'b\u00fccher.example',
    alpn: Uint8Array.from([2, 0x68, 0x32, 8, ...Buffer.from('http/1.1')]),
    host: 'example.org:8443',
    method: 'POST',
    path: '/api/v1/items?q=%C3%BC',
    banner: 'SSH-2.0-OpenSSH_9.6',
  },
  StreamDataRecord: { data: pattern(100, 7) },
  PacketTaggedRecord: { snap: pattern(60, 13) },
  FlowInfoRecord: { appPath: APP_PATH },
};

/** The structs and records golden.c covers. */
export const GOLDEN_STRUCTS = [
  'VersionInfo', 'SessionConfig', 'SessionInfo', 'ReadRequest', 'ReadResult', 'Counters', 'ListFlowsRequest', 'ListFlowsResult',
  ...schema.records.map((r) => r.name),
];

const laid = layOut(schema);

function tailBytes(value: string | Uint8Array, encoding: string): number {
  if (value instanceof Uint8Array) return value.length;
  return encoding === 'utf16le' ? value.length * 2 : Buffer.byteLength(value, 'utf8');
}

/** The object the TS decoder must produce for the golden bytes of `name`. */
export function expectedValue(name: string): Record<string, unknown> {
  const top = laid.get(name);
  if (!top) throw new Error(`unknown struct ${name}`);
  const record = 'eventName' in top.def ? (top.def as RecordDef) : null;
  const lengthFields = new Set(record ? record.tail.map((t) => t.lengthField) : []);
  const build = (s: LaidOutStruct, prefix: string): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const f of s.fields) {
      if (f.def.reserved || (s === top && lengthFields.has(f.def.name))) continue;
      const member = prefix + f.def.name;
      if (f.kind === 'prim') {
        const bits = BigInt(f.size * 8);
        const v = fx(name, member) & ((1n << bits) - 1n);
        out[f.def.name] = f.prim === 'u64' ? v : Number(v);
      } else if (f.kind === 'bytes') {
        const h = fx(name, member);
        out[f.def.name] = Uint8Array.from({ length: f.size }, (_, i) => Number((h >> BigInt(8 * (i % 8))) & 0xffn) ^ (i & 0xff));
      } else {
        out[f.def.name] = build(f.struct, `${member}.`);
      }
    }
    return out;
  };
  const value = build(top, '');
  if (record) {
    const tails = TAILS[name] ?? {};
    let size = record.size;
    for (const t of record.tail) {
      const v = tails[t.name];
      if (v === undefined) throw new Error(`no golden tail for ${name}.${t.name}`);
      value[t.name] = v;
      size += tailBytes(v, t.encoding);
    }
    const header = value.header as Record<string, unknown>;
    header.type = record.type;
    header.size = (size + 7) & ~7;
    return { kind: record.eventName, ...value };
  }
  return value;
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `wfpkit-${prefix}-`));
}

/** Compiles golden.c (or a variant) against a header directory; returns the binary path. */
export function compileGolden(outDir: string, source = goldenSource, include = includeDir): string {
  const exe = path.join(outDir, 'golden');
  const cc = process.env.CC ?? 'cc';
  childProcess.execFileSync(cc, ['-std=c11', '-Wall', '-Wextra', '-Werror', '-I', include, source, '-o', exe], { stdio: 'pipe' });
  return exe;
}

export function runGolden(exe: string, mode: 'write' | 'read', dir: string): { status: number; stdout: string; stderr: string } {
  const r = childProcess.spawnSync(exe, [mode, dir], { encoding: 'utf8' });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
