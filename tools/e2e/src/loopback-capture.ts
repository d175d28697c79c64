/*
 * Makes a real capture on the loopback interface: local servers (python3 http.server, openssl
 * s_server), tcpdump, and clients (curl, openssl s_client) of two "apps", the way
 * packages/simulator/test/fixtures/loopback.pcap was made; tshark keeps the connections made here.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

/** The tools a loopback capture needs. */
export const LOOPBACK_TOOLS = ['tcpdump', 'curl', 'openssl', 'python3', 'tshark'] as const;

/** The tools of {@link LOOPBACK_TOOLS} that cannot be run here. */
export function missingLoopbackTools(): string[] {
  return LOOPBACK_TOOLS.filter((t) => {
    const r = spawnSync(t, [t === 'openssl' ? 'version' : '--version'], { stdio: 'ignore' });
    return r.error !== undefined || r.status !== 0;
  });
}

/** A flow the capture script made, and what tshark should read from it. */
export interface PlannedFlow {
  /** The client program: 'curl' or 'openssl'. */
  readonly app: 'curl' | 'openssl';
  /** Server port (unique per flow, so a flow is found by it). */
  readonly serverPort: number;
  /** What the server speaks. */
  readonly protocol: 'http' | 'tls';
  readonly description: string;
}

/** What {@link makeLoopbackCapture} made. */
export interface LoopbackCapture {
  readonly file: string;
  readonly flows: readonly PlannedFlow[];
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, host, () => {
      const a = s.address();
      const port = typeof a === 'object' && a !== null ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

function waitListening(host: string, port: number, timeoutMs = 10000): Promise<void> {
  const end = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      const c = net.connect({ host, port }, () => {
        c.destroy();
        resolve();
      });
      c.on('error', () => {
        c.destroy();
        if (Date.now() > end) reject(new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

function run(command: string, args: readonly string[], input?: string): void {
  const r = spawnSync(command, args, { input: input ?? '', timeout: 15000, encoding: 'utf8' });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${String(r.status)}: ${r.stderr}`);
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve();
      return;
    }
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/**
 * Captures, on `lo`, six TCP connections of two client programs against local servers:
 * curl: HTTP GET over IPv4 (Host via --resolve), HTTP POST over IPv6 (Host header), HTTPS over
 * IPv4 (SNI, ALPN h2 + http/1.1); openssl s_client: TLS with SNI and ALPN http/1.1 over IPv4 and
 * over IPv6, and TLS without SNI. Each connection has its own server port.
 */
export async function makeLoopbackCapture(dir: string): Promise<LoopbackCapture> {
  const file = path.join(dir, 'e2e-loopback.pcap');
  const raw = path.join(dir, 'e2e-loopback-all.pcap');
  const www = path.join(dir, 'www');
  fs.mkdirSync(www, { recursive: true });
  fs.writeFileSync(path.join(www, 'index.html'), '<html><body>wfpkit e2e</body></html>\n');
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=e2e.wfpkit.test']);

  const p = {
    http4: await freePort('127.0.0.1'),
    http6: await freePort('::1'),
    curlTls: await freePort('127.0.0.1'),
    sslTls4: await freePort('127.0.0.1'),
    sslTls6: await freePort('::1'),
    sslNoSni: await freePort('127.0.0.1'),
  };
  const children: ChildProcess[] = [];
  const server = (cmd: string, args: string[]): void => {
    children.push(spawn(cmd, args, { cwd: www, stdio: 'ignore' }));
  };
  try {
    server('python3', ['-m', 'http.server', String(p.http4), '--bind', '127.0.0.1']);
    server('python3', ['-m', 'http.server', String(p.http6), '--bind', '::1']);
    for (const [port, host] of [[p.curlTls, '127.0.0.1'], [p.sslTls4, '127.0.0.1'], [p.sslTls6, '[::1]'], [p.sslNoSni, '127.0.0.1']] as const) {
      server('openssl', ['s_server', '-accept', `${host}:${port}`, '-cert', cert, '-key', key, '-www', '-quiet', '-alpn', 'http/1.1']);
    }
    await waitListening('127.0.0.1', p.http4);
    await waitListening('::1', p.http6);
    await waitListening('127.0.0.1', p.curlTls);
    await waitListening('127.0.0.1', p.sslTls4);
    await waitListening('::1', p.sslTls6);
    await waitListening('127.0.0.1', p.sslNoSni);

    // Everything on lo is captured and the connections made here are picked out with tshark below.
    // --immediate-mode: with the default packet buffer timeout, packets still in the kernel's
    // buffer block when tcpdump is stopped are never written ("0 packets captured").
    const dump = spawn('tcpdump', ['-i', 'lo', '-s', '0', '-U', '--immediate-mode', '-w', raw], { stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(dump);
    await new Promise<void>((resolve, reject) => {
      let err = '';
      dump.stderr?.on('data', (b: Buffer) => {
        err += b.toString();
        if (err.includes('listening on')) resolve();
      });
      dump.on('exit', (code) => reject(new Error(`tcpdump exited with ${String(code)}: ${err.trim()}`)));
    });
    await new Promise((r) => setTimeout(r, 500));

    run('curl', ['-s', '-o', '/dev/null', '--resolve', `get.e2e.wfpkit.test:${p.http4}:127.0.0.1`, `http://get.e2e.wfpkit.test:${p.http4}/index.html`]);
    run('curl', ['-s', '-o', '/dev/null', '-g', '-H', 'Host: post.e2e.wfpkit.test', '-d', 'x=1', `http://[::1]:${p.http6}/index.html`]);
    run('curl', ['-s', '-k', '-o', '/dev/null', '--resolve', `tls.e2e.wfpkit.test:${p.curlTls}:127.0.0.1`, `https://tls.e2e.wfpkit.test:${p.curlTls}/`]);
    const get = 'GET / HTTP/1.0\r\n\r\n';
    run('openssl', ['s_client', '-connect', `127.0.0.1:${p.sslTls4}`, '-servername', 's4.e2e.wfpkit.test', '-alpn', 'http/1.1', '-quiet', '-ign_eof'], get);
    run('openssl', ['s_client', '-connect', `[::1]:${p.sslTls6}`, '-servername', 's6.e2e.wfpkit.test', '-alpn', 'h2,http/1.1', '-quiet', '-ign_eof'], get);
    run('openssl', ['s_client', '-connect', `127.0.0.1:${p.sslNoSni}`, '-noservername', '-quiet', '-ign_eof'], get);
    await new Promise((r) => setTimeout(r, 1000));
  } finally {
    await Promise.all(children.map(stop));
  }
  const ports = Object.values(p).join(',');
  run('tshark', ['-r', raw, '-Y', `tcp.port in {${ports}}`, '-F', 'pcap', '-w', file]);
  return {
    file,
    flows: [
      { app: 'curl', serverPort: p.http4, protocol: 'http', description: 'curl HTTP GET over IPv4' },
      { app: 'curl', serverPort: p.http6, protocol: 'http', description: 'curl HTTP POST over IPv6' },
      { app: 'curl', serverPort: p.curlTls, protocol: 'tls', description: 'curl HTTPS over IPv4' },
      { app: 'openssl', serverPort: p.sslTls4, protocol: 'tls', description: 'openssl s_client TLS over IPv4' },
      { app: 'openssl', serverPort: p.sslTls6, protocol: 'tls', description: 'openssl s_client TLS over IPv6' },
      { app: 'openssl', serverPort: p.sslNoSni, protocol: 'tls', description: 'openssl s_client TLS without SNI' },
    ],
  };
}
