import * as childProcess from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { IOCTLS } from '@wfpkit/ioctl-client';

const bin = path.resolve(__dirname, '..', 'dist', 'bin.js');
const run = (...args: string[]) => childProcess.spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

describe('monitor-cli (spawned)', () => {
  it('prints its version', () => {
    const r = run('--version');
    expect(r.status).toBe(0);
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('runs through the npm bin link, as `npx monitor-cli` does (dist/bin.js is executable)', () => {
    const link = path.resolve(__dirname, '..', '..', '..', 'node_modules', '.bin', 'monitor-cli');
    const r = childProcess.spawnSync(link, ['--version'], { encoding: 'utf8' });
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('prints the contract as text, one line per IOCTL', () => {
    const r = run('contract');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^wfpkit driver contract 1\.0 on \\\\\.\\WfpKit/);
    for (const io of Object.values(IOCTLS)) expect(r.stdout).toContain(`${io.name} `);
    expect(r.stdout).toMatch(/^READ_EVENTS +0x8A576016 +OUT_DIRECT +session +8 +2144$/m);
  });

  it('prints the contract as JSON that matches the client', () => {
    const r = run('contract', '--format', 'json');
    expect(r.status).toBe(0);
    const parsed = JSON.parse(r.stdout) as { version: string; ioctls: { name: string; code: number }[] };
    expect(parsed.version).toBe('1.0');
    expect(parsed.ioctls.map((i) => [i.name, i.code])).toEqual(Object.values(IOCTLS).map((i) => [i.name, i.code]));
  });

  it('says in --help that an --anonymize passphrase becomes its SHA-256', () => {
    const r = run('--help');
    expect(r.status).toBe(0);
    expect(r.stdout.replace(/\s+/g, ' ')).toMatch(/--anonymize <key> .*64 hex characters \(the key itself\) or a passphrase of 8 or more characters \(the key is its SHA-256\)/);
  });

  it('exits 2 with a one-line reason on bad usage', () => {
    const unknown = run('no-such-command');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'no-such-command'/);
    const badFormat = run('contract', '--format', 'xml');
    expect(badFormat.status).toBe(2);
    expect(badFormat.stderr).toMatch(/Allowed choices are text, json, jsonl/);
    expect(badFormat.stdout).toBe('');
  });
});
