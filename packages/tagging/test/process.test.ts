// A TaggingSession in another process: cleaned up at process exit and on SIGTERM (the handlers
// go away with the session, and a signal nobody else handles still ends the process), and a
// second process's session sees only its own app's flows. The child runs the built packages.
import { spawn } from 'node:child_process';
import * as path from 'node:path';

const CHILD = path.join(__dirname, 'fixtures', 'session-child.js');

interface ChildResult {
  lines: Record<string, unknown>[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

function runChild(args: string[], onLine?: (line: Record<string, unknown>, kill: (s: NodeJS.Signals) => void) => void): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, ...args], { env: { ...process.env, WFPKIT_BACKEND: 'sim' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: Record<string, unknown>[] = [];
    let buf = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = JSON.parse(buf.slice(0, i)) as Record<string, unknown>;
        buf = buf.slice(i + 1);
        lines.push(line);
        onLine?.(line, (s) => child.kill(s));
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ lines, code, signal, stderr }));
  });
}

const startedLine = (r: ChildResult): Record<string, unknown> => {
  const l = r.lines.find((x) => x['started'] === true);
  if (l === undefined) throw new Error(`the child did not start: ${JSON.stringify(r.lines)} ${r.stderr}`);
  return l;
};

test('process.exit without stop(): the dynamic filters are gone by the next exit listener', async () => {
  const r = await runChild(['exit']);
  expect(r.code).toBe(0);
  const started = startedLine(r);
  expect(started['filters']).toBe(16);
  expect(started['listenersRunning']).toEqual((started['listenersBefore'] as number[]).map((n) => n + 1));
  expect(r.lines.find((l) => l['atExit'] === true)).toEqual({ atExit: true, filters: 0 });
});

test('SIGTERM with a listener of the app: the session stops, its reader ends, filters and handlers are gone, the process goes on', async () => {
  const r = await runChild(['signal'], (line, kill) => {
    if (line['started'] === true) kill('SIGTERM');
  });
  expect(r.code).toBe(0);
  const started = startedLine(r);
  const ended = r.lines.find((l) => l['ended'] === true);
  // listenersBefore is counted before the app added its own SIGTERM listener
  const [sigint, sigterm, exit] = started['listenersBefore'] as number[];
  expect(ended).toEqual({ ended: true, running: false, filters: 0, listenersAfter: [sigint, (sigterm ?? 0) + 1, exit] });
});

test('SIGTERM nobody else handles: the session stops and the signal still ends the process', async () => {
  const r = await runChild(['kill'], (line, kill) => {
    if (line['started'] === true) kill('SIGTERM');
  });
  startedLine(r);
  expect(r.signal).toBe('SIGTERM');
  expect(r.code).toBeNull();
});

test('two processes, two apps: each session sees only its own flows', async () => {
  const [curl, openssl] = await Promise.all([
    runChild(['replay', 'C:\\Windows\\System32\\other.exe']),
    runChild(['replay', 'C:\\Program Files\\OpenSSL\\bin\\openssl.exe']),
  ]);
  const flowsOf = (r: ChildResult): unknown => r.lines.find((l) => Array.isArray(l['flows']))?.['flows'];
  expect(flowsOf(openssl)).toEqual(['18443 \\device\\harddiskvolume3\\program files\\openssl\\bin\\openssl.exe']);
  expect((flowsOf(curl) as string[]).sort()).toEqual(['18080 \\device\\harddiskvolume3\\windows\\system32\\other.exe', '18081 \\device\\harddiskvolume3\\windows\\system32\\other.exe']);
});
