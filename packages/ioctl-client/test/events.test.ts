import {
  DeviceError,
  MIN_READ_OUTPUT,
  READ_RESULT_SIZE,
  ReadFlags,
  RecordDecodeError,
  SessionClosedError,
  WAIT_FOREVER,
  WfpKitDevice,
  encodeReadResult,
  encodeRecordHeader,
} from '../src';
import type { DecodedRecord } from '../src';
import { ReplayTransport, readReply } from './helpers/replay-transport';
import type { Reply } from './helpers/replay-transport';
import { UTF16_APP_PATH, UTF8_SNI, encodeRecords, everyEventKind, flowDeleted, loss, packetNotify, streamData } from './helpers/records';

async function openDevice(transport = new ReplayTransport()): Promise<{ device: WfpKitDevice; transport: ReplayTransport }> {
  return { device: await WfpKitDevice.open({ transport }), transport };
}

/** Lets pending promise callbacks and timers run. */
const tick = (ms = 0): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function readCalls(transport: ReplayTransport): ReturnType<ReplayTransport['ioctls']['filter']> {
  return transport.ioctls.filter((c) => c.name === 'READ_EVENTS');
}

describe('readEvents', () => {
  it('sends ReadRequest {timeoutMs, maxRecords} with a 256 KiB output and decodes every record kind', async () => {
    const { device, transport } = await openDevice();
    const records = everyEventKind();
    transport.reply('READ_EVENTS', readReply(records, ReadFlags.MORE_AVAILABLE));
    const batch = await device.readEvents({ timeoutMs: 250, maxRecords: 0 });
    expect(batch.records).toEqual(records);
    expect(batch.flags).toBe(ReadFlags.MORE_AVAILABLE);
    const [call] = readCalls(transport);
    expect(call).toMatchObject({ code: 0x8a576016, outputSize: 256 * 1024 });
    expect(call!.input).toEqual(Uint8Array.from([250, 0, 0, 0, 0, 0, 0, 0]));
    await device.close();
  });

  it('takes a batch of 200,000 records from one large read (no call-stack overflow)', async () => {
    const transport = new ReplayTransport();
    const device = await WfpKitDevice.open({ transport, bufferSize: 16 << 20 });
    const one = packetNotify();
    transport.reply('READ_EVENTS', readReply(new Array<typeof one>(200_000).fill(one)));
    const { records } = await device.readEvents({ timeoutMs: 0 });
    expect(records).toHaveLength(200_000);
    expect(records[199_999]).toEqual(one);
    await device.close();
  });

  it('decodes the non-ASCII tails: a UTF-8 SNI and a UTF-16 application path', async () => {
    const { device, transport } = await openDevice();
    transport.reply('READ_EVENTS', readReply(everyEventKind()));
    const { records } = await device.readEvents();
    const established = records.find((r) => r.kind === 'FLOW_ESTABLISHED');
    const classified = records.find((r) => r.kind === 'FLOW_CLASSIFIED');
    expect(established?.kind === 'FLOW_ESTABLISHED' && established.appPath).toBe(UTF16_APP_PATH);
    expect(classified?.kind === 'FLOW_CLASSIFIED' && classified.sni).toBe(UTF8_SNI);
    await device.close();
  });

  it('uses the buffer size and request fields it is given', async () => {
    const transport = new ReplayTransport();
    const device = await WfpKitDevice.open({ transport, bufferSize: 1 << 20 });
    transport.reply('READ_EVENTS', readReply([])).reply('READ_EVENTS', readReply([]));
    await device.readEvents({ timeoutMs: WAIT_FOREVER, maxRecords: 3 });
    await device.readEvents({ bufferSize: MIN_READ_OUTPUT });
    const [first, second] = readCalls(transport);
    expect(first).toMatchObject({ outputSize: 1 << 20, input: Uint8Array.from([0xff, 0xff, 0xff, 0xff, 3, 0, 0, 0]) });
    expect(second).toMatchObject({ outputSize: MIN_READ_OUTPUT, input: new Uint8Array(8) });
    await device.close();
  });

  it('keeps an unknown record type and skips it by its header.size', async () => {
    const { device, transport } = await openDevice();
    // LOSS, then a 40-byte record of type 99 (a newer driver), then PACKET_NOTIFY.
    const before = loss();
    const after = packetNotify();
    const out = new Uint8Array(READ_RESULT_SIZE + before.header.size + 40 + after.header.size);
    const view = new DataView(out.buffer);
    const known = encodeRecords([before], 0).bytes;
    out.set(known, READ_RESULT_SIZE);
    const unknownAt = READ_RESULT_SIZE + before.header.size;
    encodeRecordHeader(view, unknownAt, { type: 99, flags: 0, size: 40, timestamp: 5n, flowId: 6n });
    out.fill(0xee, unknownAt + 24, unknownAt + 40);
    out.set(encodeRecords([after], 0).bytes, unknownAt + 40);
    encodeReadResult(view, 0, { recordCount: 3, bytesUsed: out.byteLength, flags: 0 });
    transport.reply('READ_EVENTS', { output: out });
    const { records } = await device.readEvents();
    expect(records).toEqual([before, { kind: 'UNKNOWN', header: { type: 99, flags: 0, size: 40, timestamp: 5n, flowId: 6n } }, after]);
    await device.close();
  });

  describe('refuses a truncated or garbled output with RecordDecodeError at the right offset', () => {
    const good = (): { out: Uint8Array; view: DataView; sizes: number[] } => {
      const records = [streamData(), flowDeleted(), loss()];
      const { bytes: out, view, end } = encodeRecords(records, READ_RESULT_SIZE);
      encodeReadResult(view, 0, { recordCount: records.length, bytesUsed: end, flags: 0 });
      return { out, view, sizes: records.map((r) => r.header.size) };
    };

    const cases: [string, () => Reply, string, number, RegExp][] = [
      ['fewer bytes than a ReadResult', () => ({ output: good().out, bytesReturned: 10 }), 'ReadResult', 0, /returned 10 bytes; ReadResult needs 16/],
      [
        'bytesUsed beyond what was returned',
        () => {
          const { out } = good();
          return { output: out, bytesReturned: out.byteLength - 8 };
        },
        'ReadResult',
        0,
        /bytesUsed \d+ is outside 16\.\.\d+/,
      ],
      [
        'a record whose size runs past bytesUsed',
        () => {
          const { out, view, sizes } = good();
          view.setUint32(READ_RESULT_SIZE + sizes[0]! + 4, 4096, true); // FLOW_DELETED claims 4096 bytes
          return { output: out };
        },
        'FlowDeletedRecord',
        READ_RESULT_SIZE + 0, // replaced below
        /header\.size 4096 is not a multiple of 8 between 80 and the \d+ bytes left/,
      ],
      [
        'recordCount larger than the records present',
        () => {
          const { out, view } = good();
          view.setUint32(0, 4, true);
          return { output: out };
        },
        'RecordHeader',
        -1, // the end of the records
        /record 4 of 4 starts past bytesUsed/,
      ],
      [
        'recordCount smaller than the records present',
        () => {
          const { out, view } = good();
          view.setUint32(0, 2, true);
          return { output: out };
        },
        'ReadResult',
        0,
        /its 2 records end at byte \d+ but bytesUsed is \d+/,
      ],
      [
        'a tail length that does not fit its record',
        () => {
          const { out, view } = good();
          view.setUint16(READ_RESULT_SIZE + 42, 2000, true); // STREAM_DATA dataLength
          return { output: out };
        },
        'StreamDataRecord',
        READ_RESULT_SIZE,
        /data length 2000 does not fit the record/,
      ],
      [
        'a zero-size record header',
        () => {
          const { out, view } = good();
          view.setUint32(READ_RESULT_SIZE + 4, 0, true);
          return { output: out };
        },
        'StreamDataRecord',
        READ_RESULT_SIZE,
        /header\.size 0/,
      ],
    ];

    it.each(cases)('%s', async (_name, reply, struct, offset, message) => {
      const { device, transport } = await openDevice();
      transport.reply('READ_EVENTS', reply());
      const error = await device.readEvents().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RecordDecodeError);
      const { sizes, out } = good();
      const expectedOffset =
        struct === 'FlowDeletedRecord' ? READ_RESULT_SIZE + sizes[0]! : offset === -1 ? out.byteLength : offset;
      expect(error).toMatchObject({ struct, offset: expectedOffset });
      expect((error as Error).message).toMatch(message);
      await device.close();
    });
  });

  it('rejects with SessionClosedError when the device closes while the read pends, and the call settles', async () => {
    const { device, transport } = await openDevice();
    const pending = device.readEvents({ timeoutMs: WAIT_FOREVER });
    await tick();
    expect(transport.pendingCount).toBe(1);
    await device.close();
    await expect(pending).rejects.toThrow(SessionClosedError);
    expect(transport.pendingCount).toBe(0);
  });

  it('maps ERROR_BUSY to a DeviceError', async () => {
    const { device, transport } = await openDevice();
    transport.reply('READ_EVENTS', { win32: 170 });
    await expect(device.readEvents()).rejects.toMatchObject({ win32Name: 'ERROR_BUSY', ioctl: 'READ_EVENTS' });
    await device.close();
  });

  it('sends one READ_EVENTS at a time: a second read waits for the first', async () => {
    const { device, transport } = await openDevice();
    const first = transport.pendRead();
    transport.reply('READ_EVENTS', readReply([loss()]));
    const a = device.readEvents({ timeoutMs: 1000 });
    const b = device.readEvents({ timeoutMs: 1000 });
    await tick();
    expect(readCalls(transport)).toHaveLength(1);
    first.complete(readReply([flowDeleted()]));
    expect((await a).records).toEqual([flowDeleted()]);
    expect((await b).records).toEqual([loss()]);
    expect(readCalls(transport)).toHaveLength(2);
    await device.close();
  });

  it('an aborted read cancels the pending call and rejects with the abort reason', async () => {
    const { device, transport } = await openDevice();
    const controller = new AbortController();
    const pending = device.readEvents({ timeoutMs: WAIT_FOREVER, signal: controller.signal });
    await tick();
    controller.abort(new Error('enough'));
    await expect(pending).rejects.toThrow('enough');
    expect(transport.calls.some((c) => c.op === 'cancel')).toBe(true);
    expect(transport.pendingCount).toBe(0);
    await device.close();
  });
});

describe('events()', () => {
  it('yields records one by one across batches, long-polling through timeouts, and ends on SESSION_STOPPED', async () => {
    const { device, transport } = await openDevice();
    const batch1 = everyEventKind().slice(0, 3);
    const batch2 = everyEventKind().slice(3);
    transport
      .reply('READ_EVENTS', readReply(batch1))
      .reply('READ_EVENTS', readReply([], ReadFlags.TIMED_OUT))
      .reply('READ_EVENTS', readReply(batch2, ReadFlags.SESSION_STOPPED));
    const seen: DecodedRecord[] = [];
    for await (const record of device.events({ timeoutMs: 500, maxRecords: 64 })) seen.push(record);
    expect(seen).toEqual([...batch1, ...batch2]);
    const calls = readCalls(transport);
    expect(calls).toHaveLength(3);
    for (const call of calls) expect(call.input).toEqual(Uint8Array.from([0xf4, 0x01, 0, 0, 64, 0, 0, 0]));
    expect(transport.pendingCount).toBe(0);
    await device.close();
  });

  it('uses a 1 s long-poll by default', async () => {
    const { device, transport } = await openDevice();
    transport.reply('READ_EVENTS', readReply([], ReadFlags.SESSION_STOPPED));
    for await (const record of device.events()) void record;
    expect(readCalls(transport)[0]!.input).toEqual(Uint8Array.from([0xe8, 0x03, 0, 0, 0, 0, 0, 0]));
    await device.close();
  });

  it('ends at once on a session that is not running', async () => {
    const { device, transport } = await openDevice();
    transport.reply('READ_EVENTS', readReply([], ReadFlags.SESSION_STOPPED));
    const stream = device.events();
    await expect(stream.next()).resolves.toEqual({ done: true, value: undefined });
    await expect(stream.next()).resolves.toEqual({ done: true, value: undefined });
    expect(readCalls(transport)).toHaveLength(1);
    await device.close();
  });

  it('does not spin while idle: one pending read, no new calls', async () => {
    const { device, transport } = await openDevice();
    const stream = device.events({ timeoutMs: WAIT_FOREVER });
    const next = stream.next();
    await tick(50);
    expect(readCalls(transport)).toHaveLength(1);
    expect(transport.pendingCount).toBe(1);
    await stream.return();
    await expect(next).resolves.toEqual({ done: true, value: undefined });
    await device.close();
  });

  it('break leaves nothing pending and the device usable', async () => {
    const { device, transport } = await openDevice();
    transport.reply('READ_EVENTS', readReply(everyEventKind()));
    let count = 0;
    for await (const record of device.events()) {
      void record;
      if (++count === 2) break;
    }
    expect(count).toBe(2);
    expect(transport.pendingCount).toBe(0);
    // The records the loop did not take are delivered by the next read, not lost.
    const rest = await device.readEvents();
    expect(rest.records).toEqual(everyEventKind().slice(2));
    expect(readCalls(transport)).toHaveLength(1);
    await device.close();
  });

  it('return() while a read pends cancels it; the pending next() settles done', async () => {
    const { device, transport } = await openDevice();
    const stream = device.events({ timeoutMs: WAIT_FOREVER });
    const next = stream.next();
    await tick();
    expect(transport.pendingCount).toBe(1);
    await expect(stream.return()).resolves.toEqual({ done: true, value: undefined });
    expect(transport.calls.filter((c) => c.op === 'cancel')).toHaveLength(1);
    expect(transport.pendingCount).toBe(0);
    await expect(next).resolves.toEqual({ done: true, value: undefined });
    await expect(stream.next()).resolves.toEqual({ done: true, value: undefined });
    // The device still works.
    transport.reply('READ_EVENTS', readReply([loss()]));
    expect((await device.readEvents()).records).toEqual([loss()]);
    await device.close();
  });

  it('without transport cancel, return() does not wait and a late batch is kept for the next read', async () => {
    const { device, transport } = await openDevice(new ReplayTransport({ cancel: false }));
    const late = transport.pendRead();
    const stream = device.events({ timeoutMs: 1000 });
    const next = stream.next();
    await tick();
    await stream.return();
    await expect(next).resolves.toEqual({ done: true, value: undefined });
    expect(transport.pendingCount).toBe(1);
    late.complete(readReply([flowDeleted(), loss()], ReadFlags.TIMED_OUT));
    const batch = await device.readEvents();
    expect(batch.records).toEqual([flowDeleted(), loss()]);
    expect(readCalls(transport)).toHaveLength(1);
    await device.close();
  });

  it('close() ends the stream and settles the pending read', async () => {
    const { device, transport } = await openDevice();
    const stream = device.events({ timeoutMs: WAIT_FOREVER });
    const collected: DecodedRecord[] = [];
    const loop = (async () => {
      for await (const record of stream) collected.push(record);
    })();
    await tick();
    expect(transport.pendingCount).toBe(1);
    await device.close();
    await loop;
    expect(transport.pendingCount).toBe(0);
    expect(collected).toEqual([]);
    expect(transport.calls.at(-1)).toMatchObject({ op: 'close' });
  });

  it('an aborted signal ends the stream and cancels the pending read', async () => {
    const { device, transport } = await openDevice();
    const controller = new AbortController();
    const stream = device.events({ timeoutMs: WAIT_FOREVER, signal: controller.signal });
    const next = stream.next();
    await tick();
    controller.abort();
    await expect(next).resolves.toEqual({ done: true, value: undefined });
    await tick();
    expect(transport.pendingCount).toBe(0);
    await device.close();
  });

  it('ends with the error when a read fails for another reason', async () => {
    const { device, transport } = await openDevice();
    transport.reply('READ_EVENTS', readReply([loss()])).reply('READ_EVENTS', { win32: 170 });
    const stream = device.events();
    await expect(stream.next()).resolves.toEqual({ done: false, value: loss() });
    const error = await stream.next().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeviceError);
    expect(error).toMatchObject({ win32Name: 'ERROR_BUSY' });
    await expect(stream.next()).resolves.toEqual({ done: true, value: undefined });
    await device.close();
  });

  it('is async-disposable', async () => {
    const { device, transport } = await openDevice();
    {
      await using stream = device.events({ timeoutMs: WAIT_FOREVER });
      void stream.next();
      await tick();
      expect(transport.pendingCount).toBe(1);
    }
    expect(transport.pendingCount).toBe(0);
    await device.close();
  });

  it('created after close, rejects its first next() with SessionClosedError', async () => {
    const { device } = await openDevice();
    await device.close();
    const stream = device.events();
    await expect(stream.next()).rejects.toThrow(SessionClosedError);
    await expect(stream.next()).resolves.toEqual({ done: true, value: undefined });
  });
});
