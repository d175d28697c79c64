/*
 * The per-record decoder of READ_EVENTS batches. The packet records (PACKET_TAGGED,
 * PACKET_NOTIFY, PACKET_DISCARDED) are most of a tagging session's records: they are decoded
 * here in one pass each (the generated decodeRecord reads the header twice: once to dispatch on
 * its type, once more inside the record's decoder). The objects are the generated codec's,
 * field for field and in the same order. A record that does not pass the size checks, and every
 * other kind, goes through the generated decoder, so errors are the contract's own.
 */
import { decodeRecord } from './contract.generated';
import type { ContractRecord, PacketDiscardedRecord, PacketNotifyRecord, PacketTaggedRecord, RecordHeader, UnknownRecord } from './contract.generated';

const TYPE_PACKET_TAGGED = 4;
const TYPE_PACKET_NOTIFY = 5;
const TYPE_PACKET_DISCARDED = 9;
const MAX_SNAP = 2048;
/**
 * The snap of every PACKET_TAGGED record without one (most of them when snapLen is 0): one
 * frozen empty array instead of a new one per record. Nothing can be written to it.
 */
const EMPTY_SNAP: Uint8Array = Object.freeze(new Uint8Array(0)) as Uint8Array;

function header(view: DataView, offset: number, type: number, size: number): RecordHeader {
  return {
    type,
    flags: view.getUint16(offset + 2, true),
    size,
    timestamp: view.getBigUint64(offset + 8, true),
    flowId: view.getBigUint64(offset + 16, true),
  };
}

/**
 * Decodes the record at `offset` of `view` (which ends where the batch's records end), exactly
 * as the generated `decodeRecord` does.
 *
 * @throws {@link RecordDecodeError} when the record is not what the contract says.
 */
export function decodeRecordAt(view: DataView, offset: number): ContractRecord | UnknownRecord {
  const left = view.byteLength - offset;
  if (left >= 48 && offset >= 0) {
    const type = view.getUint16(offset, true);
    const size = view.getUint32(offset + 4, true);
    if ((size & 7) === 0 && size <= left) {
      if (type === TYPE_PACKET_NOTIFY && size >= 48) {
        const r: PacketNotifyRecord = {
          kind: 'PACKET_NOTIFY',
          header: header(view, offset, type, size),
          context: view.getBigUint64(offset + 24, true),
          newContext: view.getBigUint64(offset + 32, true),
          eventType: view.getUint16(offset + 40, true),
          layerId: view.getUint16(offset + 42, true),
          notifyFlags: view.getUint16(offset + 44, true),
        };
        return r;
      }
      if (type === TYPE_PACKET_TAGGED && size >= 48) {
        const snapLength = view.getUint16(offset + 44, true);
        if (snapLength <= MAX_SNAP && 48 + snapLength <= size) {
          const r: PacketTaggedRecord = {
            kind: 'PACKET_TAGGED',
            header: header(view, offset, type, size),
            context: view.getBigUint64(offset + 24, true),
            packetLength: view.getUint32(offset + 32, true),
            sequence: view.getUint32(offset + 36, true),
            layerId: view.getUint16(offset + 40, true),
            direction: view.getUint8(offset + 42),
            ipVersion: view.getUint8(offset + 43),
            // a copy: the record must not keep the read buffer alive
            snap: snapLength === 0 ? EMPTY_SNAP : new Uint8Array(view.buffer, view.byteOffset + offset + 48, snapLength).slice(),
          };
          return r;
        }
      }
      if (type === TYPE_PACKET_DISCARDED && size >= 56 && left >= 56) {
        const r: PacketDiscardedRecord = {
          kind: 'PACKET_DISCARDED',
          header: header(view, offset, type, size),
          context: view.getBigUint64(offset + 24, true),
          discardModule: view.getUint32(offset + 32, true),
          discardReason: view.getUint32(offset + 36, true),
          filterId: view.getBigUint64(offset + 40, true),
          layerId: view.getUint16(offset + 48, true),
          direction: view.getUint8(offset + 50),
        };
        return r;
      }
    }
  }
  return decodeRecord(view, offset);
}
