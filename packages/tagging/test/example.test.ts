// The README example (examples/fates.js) runs and prints what the README shows.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const example = require('../examples/fates.js') as { main: (log: (line: string) => void) => void };

describe('examples/fates.js', () => {
  it('prints one fate per tagged packet and the flow record', () => {
    const lines: string[] = [];
    example.main((line) => lines.push(line));
    expect(lines).toEqual([
      'packet seq=1 outbound sent      in-stack 32 µs clones=0 events=3',
      'packet seq=1 inbound delivered in-stack 31 µs clones=0 events=1',
      'packet seq=2 outbound sent      in-stack 30 µs clones=1 events=3',
      'packet seq=3 outbound dropped   in-stack 80 µs clones=0 events=1',
      'flow 4660 \\device\\harddiskvolume3\\program files\\browser\\browser.exe 192.168.1.10:50123 -> 93.184.216.34:443 tls sni=example.com alpn=h2,http/1.1 out=2048 in=5120 packets={"tagged":4,"sent":2,"delivered":1,"dropped":1,"unknown":0} 250 ms (deleted)',
      'in-stack latency: p50 31.15 µs, p99 32 µs over 3 packets; clock 2023-12-31T00:00:00.250Z',
    ]);
  });
});
