import {
  AccessDeniedError,
  CONTRACT_ERRORS,
  ConfigFlags,
  ContractMismatchError,
  DEFAULT_READ_BUFFER_SIZE,
  DEVICE_PATH,
  DeviceError,
  DriverNotLoadedError,
  FeatureFlags,
  IOCTLS,
  InvalidArgumentError,
  ListFlags,
  SessionClosedError,
  SessionState,
  TagLayer,
  WfpKitDevice,
  WfpKitError,
  asTransportHandle,
} from '../src';
import type { Counters, SessionInfo } from '../src';
import { ReplayTransport, countersReply, listReply, sessionReply, versionInfo, versionReply } from './helpers/replay-transport';
import { flowInfo } from './helpers/records';

/** Little-endian u32 words as bytes: the request layout written out by hand, independent of the encoders. */
function u32s(...words: number[]): Uint8Array {
  const out = new Uint8Array(words.length * 4);
  const view = new DataView(out.buffer);
  words.forEach((w, i) => view.setUint32(i * 4, w, true));
  return out;
}

async function openDevice(transport = new ReplayTransport()): Promise<{ device: WfpKitDevice; transport: ReplayTransport }> {
  const device = await WfpKitDevice.open({ transport });
  return { device, transport };
}

describe('WfpKitDevice.open', () => {
  it('opens \\\\.\\WfpKit and asks GET_VERSION with no input and a 32-byte output', async () => {
    const { device, transport } = await openDevice();
    expect(transport.calls[0]).toEqual({ op: 'open', path: DEVICE_PATH });
    expect(transport.ioctls).toEqual([
      expect.objectContaining({ name: 'GET_VERSION', code: 0x8a572000, input: null, outputSize: 32 }),
    ]);
    expect(device.versionInfo).toEqual(versionInfo());
    expect(device.path).toBe(DEVICE_PATH);
    expect(device.bufferSize).toBe(DEFAULT_READ_BUFFER_SIZE);
    await device.close();
  });

  it('opens another path when asked', async () => {
    const transport = new ReplayTransport();
    const device = await WfpKitDevice.open({ transport, path: '\\\\.\\WfpKitTest' });
    expect(transport.calls[0]).toEqual({ op: 'open', path: '\\\\.\\WfpKitTest' });
    await device.close();
  });

  it('accepts a driver of the same major and another minor version', async () => {
    const { device } = await openDevice(new ReplayTransport({ version: versionReply({ contractVersion: (1 << 16) | 7 }) }));
    expect(device.versionInfo.contractVersion).toBe(0x10007);
    await device.close();
  });

  it.each([
    [(2 << 16) | 0, '2.0', /install an @wfpkit\/ioctl-client release for contract 2\.x/],
    [(0 << 16) | 9, '0.9', /install the driver that ships with this client: run `monitor-cli driver install` from an elevated prompt/],
  ])('refuses contract %i (%s) and closes the handle', async (contractVersion, shown, advice) => {
    const transport = new ReplayTransport({ version: versionReply({ contractVersion }) });
    const error = await WfpKitDevice.open({ transport }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContractMismatchError);
    const mismatch = error as ContractMismatchError;
    expect(mismatch.code).toBe('WFPKIT_CONTRACT_MISMATCH');
    expect(mismatch.message).toContain(`driver speaks contract ${shown}`);
    expect(mismatch.message).toContain('client speaks 1.0');
    expect(mismatch.message).toMatch(advice);
    expect(mismatch.driver).toEqual({ major: contractVersion >>> 16, minor: contractVersion & 0xffff });
    expect(transport.calls.map((c) => c.op)).toEqual(['open', 'ioctl', 'close']);
    expect(transport.openHandles).toBe(0);
  });

  it('maps ERROR_FILE_NOT_FOUND on open to DriverNotLoadedError', async () => {
    const error = await WfpKitDevice.open({ transport: new ReplayTransport({ openError: 2 }) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DriverNotLoadedError);
    expect(error).toBeInstanceOf(DeviceError);
    expect(error).toMatchObject({ code: 'WFPKIT_DRIVER_NOT_LOADED', win32: 2, win32Name: 'ERROR_FILE_NOT_FOUND', operation: 'open', ioctl: null });
    expect((error as Error).message).toBe(
      'the wfpkit driver is not loaded (\\\\.\\WfpKit does not exist): run `monitor-cli driver install` from an elevated prompt',
    );
  });

  it('maps ERROR_ACCESS_DENIED on open to AccessDeniedError', async () => {
    const error = await WfpKitDevice.open({ transport: new ReplayTransport({ openError: 5 }) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AccessDeniedError);
    expect(error).toMatchObject({ code: 'WFPKIT_ACCESS_DENIED', win32: 5 });
    expect((error as Error).message).toMatch(/admits only SYSTEM and Administrators\. Run from an elevated prompt/);
  });

  it('closes the handle when GET_VERSION fails, and reports the IOCTL', async () => {
    const transport = new ReplayTransport({ version: { win32: 122 } });
    const error = await WfpKitDevice.open({ transport }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeviceError);
    expect(error).toMatchObject({ win32: 122, win32Name: 'ERROR_INSUFFICIENT_BUFFER', ioctl: 'GET_VERSION' });
    expect(transport.openHandles).toBe(0);
  });

  it('closes the handle when GET_VERSION returns too few bytes', async () => {
    const transport = new ReplayTransport({ version: { output: new Uint8Array(32), bytesReturned: 12 } });
    await expect(WfpKitDevice.open({ transport })).rejects.toThrow(/cannot decode VersionInfo at offset 0: the driver returned 12 bytes; VersionInfo needs 32/);
    expect(transport.openHandles).toBe(0);
  });

  it('refuses a buffer size below MIN_READ_OUTPUT before opening anything', async () => {
    const transport = new ReplayTransport();
    await expect(WfpKitDevice.open({ transport, bufferSize: 1024 })).rejects.toThrow(
      'open: bufferSize must be an integer in 2144..67108880, got 1024 (0x400)',
    );
    expect(transport.calls).toEqual([]);
  });
});

describe('IOCTLs: request encoding and response decoding', () => {
  it('version() sends GET_VERSION and decodes VersionInfo', async () => {
    const { device, transport } = await openDevice();
    transport.reply('GET_VERSION', versionReply({ driverVersion: 0x01020003, features: FeatureFlags.SIMULATED }));
    const v = await device.version();
    expect(v.driverVersion).toBe(0x01020003);
    expect(v.features).toBe(FeatureFlags.SIMULATED);
    expect(transport.ioctls[1]).toMatchObject({ name: 'GET_VERSION', input: null, outputSize: 32 });
    await device.close();
  });

  it('session() sends GET_SESSION (no input, 48-byte output) and decodes SessionInfo with branded ids', async () => {
    const { device, transport } = await openDevice();
    const info: SessionInfo = {
      sessionId: 3,
      state: SessionState.RUNNING,
      scopeKey: 0x8000_0000_0000_0003n,
      config: { structSize: 24, flags: 1, inspectBudget: 4096, ringBytes: 1 << 20, snapLen: 128, tagLayers: 0 },
    };
    transport.reply('GET_SESSION', sessionReply(info));
    const session = await device.session();
    expect(session).toEqual(info);
    const id: number = session.sessionId; // a SessionId is still a number
    expect(id).toBe(3);
    expect(transport.ioctls[1]).toMatchObject({ name: 'GET_SESSION', code: 0x8a576004, input: null, outputSize: 48 });
    await device.close();
  });

  it('configure() sends SessionConfig with structSize 24, defaults filled in from the contract', async () => {
    const { device, transport } = await openDevice();
    transport.reply('SET_CONFIG', { output: new Uint8Array(0) });
    const sent = await device.configure({ snapLen: 0 });
    expect(sent).toEqual({ structSize: 24, flags: ConfigFlags.INSPECT_STREAMS, inspectBudget: 4096, ringBytes: 1048576, snapLen: 0, tagLayers: 0 });
    const call = transport.ioctls[1]!;
    expect(call).toMatchObject({ name: 'SET_CONFIG', code: 0x8a57e008, outputSize: 0 });
    expect(call.input).toEqual(u32s(24, 0x1, 4096, 1048576, 0, 0));
    await device.close();
  });

  it('configure() encodes every field at its offset', async () => {
    const { device, transport } = await openDevice();
    transport.reply('SET_CONFIG', { output: new Uint8Array(0) });
    await device.configure({
      flags: ConfigFlags.INSPECT_STREAMS | ConfigFlags.TAG_PACKETS | ConfigFlags.CAPTURE_PACKET_BYTES,
      inspectBudget: 65536,
      ringBytes: 65536,
      snapLen: 2048,
      tagLayers: TagLayer.OUTBOUND_TRANSPORT_V4 | TagLayer.INBOUND_IPPACKET_V6,
    });
    expect(transport.ioctls[1]!.input).toEqual(u32s(24, 0x19, 65536, 65536, 2048, 0x81));
    await device.close();
  });

  it('start() and stop() send their codes with no buffers', async () => {
    const { device, transport } = await openDevice();
    transport.reply('START', { output: new Uint8Array(0) }).reply('STOP', { output: new Uint8Array(0) });
    await device.start();
    await device.stop();
    expect(transport.ioctls.slice(1)).toEqual([
      expect.objectContaining({ name: 'START', code: 0x8a57e00c, input: null, outputSize: 0 }),
      expect.objectContaining({ name: 'STOP', code: 0x8a57e010, input: null, outputSize: 0 }),
    ]);
    await device.close();
  });

  it('counters() sends GET_COUNTERS (208-byte output) and decodes both blocks', async () => {
    const { device, transport } = await openDevice();
    const counters: Counters = {
      session: {
        eventsProduced: 100n, eventsDelivered: 90n, eventsDropped: 4n, readsCompleted: 7n, flowsMatched: 3n,
        packetsTagged: 50n, notifyEvents: 200n, packetsUntagged: 0n,
        ringBytes: 1 << 20, ringUsed: 480, ringHighWater: 9000, recordsInRing: 6, flowsActive: 2,
      },
      global: {
        flowsTotal: 10n, classifyCalls: 1234n, streamBytesInspected: 8192n, packetsTagged: 50n, packetsUntagged: 0n,
        notifyEvents: 200n, tagsRetired: 48n, flowsUnmonitored: 0n, contextFailures: 0n, flowsNotInspected: 5n, appPathsRefused: 1n, staleContexts: 2n,
        sessionsOpen: 1, flowsActive: 2, flowTableCapacity: 4096, tagsInFlight: 2, ledgerCapacity: 16384,
      },
    };
    transport.reply('GET_COUNTERS', countersReply(counters));
    const got = await device.counters();
    expect(got).toEqual(counters);
    expect(got.session.eventsProduced).toBe(got.session.eventsDelivered + got.session.eventsDropped + BigInt(got.session.recordsInRing));
    expect(transport.ioctls[1]).toMatchObject({ name: 'GET_COUNTERS', code: 0x8a576018, input: null, outputSize: 208 });
    await device.close();
  });

  it('listFlows() pages with the cursor until MORE is clear', async () => {
    const { device, transport } = await openDevice();
    const page1 = [flowInfo(1n), flowInfo(2n, 'C:\\a.exe')];
    const page2 = [flowInfo(3n)];
    transport.reply('LIST_FLOWS', listReply(page1, ListFlags.MORE, 0x77n)).reply('LIST_FLOWS', listReply(page2, 0, 0n));
    const flows = [];
    for await (const flow of device.listFlows({ pageSize: 2 })) flows.push(flow);
    expect(flows).toEqual([...page1, ...page2]);
    const calls = transport.ioctls.filter((c) => c.name === 'LIST_FLOWS');
    expect(calls).toHaveLength(2);
    // ListFlowsRequest: u64 cursor, u32 maxFlows, u32 reserved.
    expect(calls[0]).toMatchObject({ code: 0x8a57601e, outputSize: 64 * 1024, input: u32s(0, 0, 2, 0) });
    expect(calls[1]!.input).toEqual(u32s(0x77, 0, 2, 0));
    await device.close();
  });

  it('listFlows() refuses a page that claims MORE without moving the cursor', async () => {
    const { device, transport } = await openDevice();
    transport.reply('LIST_FLOWS', listReply([], ListFlags.MORE, 0n));
    const iterate = async (): Promise<void> => {
      for await (const flow of device.listFlows()) void flow;
    };
    await expect(iterate()).rejects.toThrow(/MORE is set but the page is empty and the cursor did not advance/);
    await device.close();
  });

  it('listFlows() refuses a page whose bytesUsed disagrees with the bytes returned', async () => {
    const { device, transport } = await openDevice();
    const reply = listReply([flowInfo(1n)], 0, 0n);
    if (!('output' in reply)) throw new Error('listReply gives an output');
    const { output } = reply;
    const view = new DataView(output.buffer, output.byteOffset, output.byteLength);
    expect(view.getUint32(16, true)).toBe(output.byteLength);
    view.setUint32(16, output.byteLength + 8, true);
    transport.reply('LIST_FLOWS', reply);
    const iterate = async (): Promise<void> => {
      for await (const flow of device.listFlows()) void flow;
    };
    await expect(iterate()).rejects.toThrow(`bytesUsed ${output.byteLength + 8} is outside 24..${output.byteLength}`);
    await device.close();
  });

  it('listFlows() refuses a buffer smaller than LIST_FLOWS needs', async () => {
    const { device, transport } = await openDevice();
    const iterate = async (): Promise<void> => {
      for await (const flow of device.listFlows({ bufferSize: 2144 })) void flow;
    };
    await expect(iterate()).rejects.toThrow(InvalidArgumentError);
    expect(transport.ioctls).toHaveLength(1);
    await device.close();
  });
});

describe('Win32 errors of IOCTLs', () => {
  it('maps ERROR_BAD_COMMAND to a DeviceError carrying the contract fix', async () => {
    const { device, transport } = await openDevice();
    transport.reply('START', { win32: 22 });
    const error = await device.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeviceError);
    expect(error).toBeInstanceOf(WfpKitError);
    const info = CONTRACT_ERRORS.find((e) => e.name === 'ERROR_BAD_COMMAND')!;
    expect(error).toMatchObject({
      code: 'WFPKIT_DEVICE_ERROR',
      win32: 22,
      win32Name: 'ERROR_BAD_COMMAND',
      ioctl: 'START',
      meaning: info.meaning,
      fix: 'Stop the session before changing its configuration; start it only once.',
    });
    expect((error as Error).message).toBe(
      `IOCTL_WFPKIT_START failed with ERROR_BAD_COMMAND (22): ${info.meaning} Stop the session before changing its configuration; start it only once.`,
    );
    await device.close();
  });

  it('maps ERROR_ACCESS_DENIED on an IOCTL to AccessDeniedError naming it', async () => {
    const { device, transport } = await openDevice();
    transport.reply('SET_CONFIG', { win32: 5 });
    await expect(device.configure()).rejects.toThrow(/^IOCTL_WFPKIT_SET_CONFIG was denied: .*Run from an elevated prompt/);
    await device.close();
  });

  it.each(CONTRACT_ERRORS.filter((e) => e.win32 !== 5).map((e) => [e.name, e.win32] as const))(
    'maps %s from an IOCTL to a DeviceError with its meaning and fix',
    async (name, win32) => {
      const { device, transport } = await openDevice();
      transport.reply('GET_COUNTERS', { win32 });
      const error = await device.counters().catch((e: unknown) => e);
      const info = CONTRACT_ERRORS.find((e) => e.win32 === win32)!;
      expect(error).toBeInstanceOf(DeviceError);
      expect(error).toMatchObject({ win32, win32Name: name, ioctl: 'GET_COUNTERS', meaning: info.meaning, fix: info.fix });
      await device.close();
    },
  );

  it('names a Win32 error the contract does not list', async () => {
    const { device, transport } = await openDevice();
    transport.reply('GET_COUNTERS', { win32: 31 });
    await expect(device.counters()).rejects.toThrow(/IOCTL_WFPKIT_GET_COUNTERS failed with ERROR_GEN_FAILURE \(31\): Windows error 31, which the driver contract does not list/);
    await device.close();
  });
});

describe('client-side validation', () => {
  it.each([
    [{ inspectBudget: 0 }, 'inspectBudget', 'configure: inspectBudget must be an integer in 1..65536, got 0'],
    [{ inspectBudget: 65537 }, 'inspectBudget', 'configure: inspectBudget must be an integer in 1..65536, got 65537 (0x10001)'],
    [{ ringBytes: 4096 }, 'ringBytes', 'configure: ringBytes must be an integer in 65536..67108864, got 4096 (0x1000)'],
    [{ ringBytes: 65540 }, 'ringBytes', 'configure: ringBytes must be a multiple of 8 in 65536..67108864, got 65540 (0x10004)'],
    [{ snapLen: 2049 }, 'snapLen', 'configure: snapLen must be an integer in 0..2048, got 2049 (0x801)'],
    [{ snapLen: 1.5 }, 'snapLen', 'configure: snapLen must be an integer in 0..2048, got 1.5'],
    [{ flags: 0x40 }, 'flags', 'configure: flags must be a combination of ConfigFlags (mask 0x3f), got 64'],
    [{ tagLayers: 0x100 }, 'tagLayers', 'configure: tagLayers must be a combination of TagLayer (mask 0xff), got 256 (0x100)'],
    [{ flags: -1 }, 'flags', 'configure: flags must be an integer in 0..4294967295, got -1'],
  ])('refuses %j without calling the transport', async (config, field, message) => {
    const { device, transport } = await openDevice();
    const error = await device.configure(config).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error).toMatchObject({ code: 'WFPKIT_INVALID_ARGUMENT', field, operation: 'configure' });
    expect((error as Error).message).toBe(message);
    expect(transport.ioctls.map((c) => c.name)).toEqual(['GET_VERSION']);
    await device.close();
  });

  it('applies the tighter limits the driver reports', async () => {
    const transport = new ReplayTransport({
      version: versionReply({ maxSnapLen: 512, maxRingBytes: 1 << 20, minRingBytes: 1 << 17, maxInspectBudget: 8192, features: 0 }),
    });
    const { device } = await openDevice(transport);
    await expect(device.configure({ snapLen: 1024 })).rejects.toThrow('configure: snapLen must be an integer in 0..512, got 1024 (0x400)');
    await expect(device.configure({ ringBytes: 1 << 16 })).rejects.toThrow('ringBytes must be an integer in 131072..1048576');
    await expect(device.configure({ inspectBudget: 10000 })).rejects.toThrow('inspectBudget must be an integer in 1..8192');
    await expect(device.configure({ ringBytes: 1 << 17, tagLayers: TagLayer.OUTBOUND_IPPACKET_V4 })).rejects.toThrow(
      /tagLayers must be transport layers only \(mask 0xf\): this driver does not report FeatureFlags\.IPPACKET_LAYERS/,
    );
    expect(transport.ioctls).toHaveLength(1);
    await device.close();
  });

  it('refuses bad read options without calling the transport', async () => {
    const { device, transport } = await openDevice();
    await expect(device.readEvents({ bufferSize: 2143 })).rejects.toThrow('readEvents: bufferSize must be an integer in 2144..67108880, got 2143');
    await expect(device.readEvents({ timeoutMs: -1 })).rejects.toThrow('readEvents: timeoutMs must be an integer in 0..4294967295, got -1');
    await expect(device.readEvents({ maxRecords: 2 ** 32 })).rejects.toThrow(/maxRecords must be an integer in 0\.\.4294967295/);
    expect(() => device.events({ timeoutMs: 0.5 })).toThrow(InvalidArgumentError);
    expect(transport.ioctls).toHaveLength(1);
    await device.close();
  });
});

describe('close', () => {
  it('is idempotent: one CloseHandle, the same promise', async () => {
    const { device, transport } = await openDevice();
    const first = device.close();
    const second = device.close();
    expect(second).toBe(first);
    await first;
    await device.close();
    expect(transport.calls.filter((c) => c.op === 'close')).toHaveLength(1);
    expect(device.closed).toBe(true);
  });

  it('works with await using', async () => {
    const transport = new ReplayTransport();
    {
      await using device = await WfpKitDevice.open({ transport });
      expect(device.closed).toBe(false);
    }
    expect(transport.openHandles).toBe(0);
  });

  it('makes every method reject with SessionClosedError without calling the transport', async () => {
    const { device, transport } = await openDevice();
    await device.close();
    const before = transport.calls.length;
    const attempts: [string, () => Promise<unknown>][] = [
      ['version', () => device.version()],
      ['session', () => device.session()],
      ['configure', () => device.configure()],
      ['start', () => device.start()],
      ['stop', () => device.stop()],
      ['readEvents', () => device.readEvents()],
      ['counters', () => device.counters()],
      ['listFlows', () => device.listFlows().next()],
      ['events', () => device.events().next()],
    ];
    for (const [method, attempt] of attempts) {
      const error = await attempt().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SessionClosedError);
      expect(error).toMatchObject({ code: 'WFPKIT_SESSION_CLOSED', operation: method });
      expect((error as Error).message).toBe(`${method}: the wfpkit device session is closed; open a new one with WfpKitDevice.open()`);
    }
    expect(transport.calls.length).toBe(before);
  });

  it('reports a failing CloseHandle but still counts as closed', async () => {
    const { device, transport } = await openDevice();
    await transport.close(asTransportHandle(0x100n)); // the handle the replay transport gave out
    await expect(device.close()).rejects.toThrow(/closing the wfpkit device failed with ERROR_INVALID_HANDLE \(6\)/);
    expect(device.closed).toBe(true);
    await expect(device.start()).rejects.toThrow(SessionClosedError);
  });
});

it('every IOCTL of the contract has a WfpKitDevice method that the tests above exercise', () => {
  expect(Object.keys(IOCTLS).sort()).toEqual(['GET_COUNTERS', 'GET_SESSION', 'GET_VERSION', 'LIST_FLOWS', 'READ_EVENTS', 'SET_CONFIG', 'START', 'STOP']);
});
