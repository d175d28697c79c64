/**
 * The typed events of a {@link TaggingSession}: one per driver record, named by what happened.
 */
import type {
  ContractRecord,
  FlowClassifiedRecord,
  FlowDeletedRecord,
  FlowEstablishedRecord,
  LossRecord,
  PacketDiscardedRecord,
  PacketNotifyRecord,
  PacketTaggedRecord,
  StreamDataRecord,
} from '@wfpkit/ioctl-client';
import { LossReason } from '@wfpkit/ioctl-client';

import type { PacketFate } from './fate';
import type { FlowRecord } from './flow';

/** A monitored flow was established (FLOW_ESTABLISHED). */
export interface FlowEvent {
  /** Event type. */
  readonly type: 'flow';
  /** The driver's record. */
  readonly record: FlowEstablishedRecord;
}
/** A direction of a flow was classified (FLOW_CLASSIFIED: TLS SNI/ALPN, HTTP Host, …). */
export interface ClassificationEvent {
  /** Event type. */
  readonly type: 'classification';
  /** The driver's record. */
  readonly record: FlowClassifiedRecord;
}
/** Stream data was indicated (STREAM_DATA; only with the `streamEvents` option). */
export interface StreamEvent {
  /** Event type. */
  readonly type: 'stream';
  /** The driver's record. */
  readonly record: StreamDataRecord;
}
/** A packet of a monitored flow was tagged (PACKET_TAGGED). */
export interface PacketTaggedEvent {
  /** Event type. */
  readonly type: 'packet-tagged';
  /** The driver's record. */
  readonly record: PacketTaggedRecord;
}
/** The NBL notify function reported an event for a tagged packet (PACKET_NOTIFY). */
export interface PacketNotifyEvent {
  /** Event type. */
  readonly type: 'packet-notify';
  /** The driver's record. */
  readonly record: PacketNotifyRecord;
}
/** A tagged packet reached a discard layer (PACKET_DISCARDED). */
export interface PacketDiscardedEvent {
  /** Event type. */
  readonly type: 'packet-discarded';
  /** The driver's record. */
  readonly record: PacketDiscardedRecord;
}
/** A monitored flow ended (FLOW_DELETED, with the driver's totals). */
export interface FlowDeletedEvent {
  /** Event type. */
  readonly type: 'flow-deleted';
  /** The driver's record. */
  readonly record: FlowDeletedRecord;
}

/** Why something was lost (the contract's `LossReason` as a word). */
export type LossReasonName = 'ring-full' | 'ledger-full' | 'flow-table-full' | 'unknown';

/**
 * Something was lost (LOSS): records the ring had no room for (`ring-full`: the consumer did
 * not keep up), packets left untagged (`ledger-full`) or flows left unmonitored
 * (`flow-table-full`). The session goes on.
 */
export interface LossEvent {
  /** Event type. */
  readonly type: 'loss';
  /** Why. */
  readonly reason: LossReasonName;
  /** How many were lost since the previous LOSS record of this reason. */
  readonly lost: number;
  /** How many were lost since the session started. */
  readonly totalLost: number;
  /** The driver's record. */
  readonly record: LossRecord;
}

/** One event of {@link TaggingSession.events}; `type` tells which. */
export type TaggingEvent =
  | FlowEvent
  | ClassificationEvent
  | StreamEvent
  | PacketTaggedEvent
  | PacketNotifyEvent
  | PacketDiscardedEvent
  | FlowDeletedEvent
  | LossEvent;

/** The `type` of a {@link TaggingEvent}. */
export type TaggingEventType = TaggingEvent['type'];

/** Every {@link TaggingEventType}, in record order of a packet's life. */
export const TAGGING_EVENT_TYPES: readonly TaggingEventType[] = [
  'flow',
  'classification',
  'stream',
  'packet-tagged',
  'packet-notify',
  'packet-discarded',
  'flow-deleted',
  'loss',
];

/**
 * A tagged packet's fate is final (derived: one per fate record `TaggingSession.packets()`
 * would yield). Only from `TaggingSession.events({ packets: true })`.
 */
export interface PacketFateEvent {
  /** Event type. */
  readonly type: 'packet-fate';
  /** The fate record. */
  readonly fate: PacketFate;
}

/**
 * A flow's record is final (derived: one per flow record `TaggingSession.flows()` would yield,
 * with the in-stack latency of its packets). Only from `TaggingSession.events({ flows: true })`.
 */
export interface FlowRecordEvent {
  /** Event type. */
  readonly type: 'flow-record';
  /** The flow record. */
  readonly flow: FlowRecord;
  /** In-stack latency of the flow's `sent`/`delivered` packets (absent when none had one). */
  readonly latency?: { readonly p50Us: number; readonly p99Us: number };
}

/**
 * What `TaggingSession.events(options)` yields: the driver's records as {@link TaggingEvent}s
 * (all, or the `types` asked for) and, when asked, the derived {@link PacketFateEvent}s and
 * {@link FlowRecordEvent}s, in the order the session learns them (a record's event comes before
 * the fate or flow record it completes).
 */
export type SessionEvent = TaggingEvent | PacketFateEvent | FlowRecordEvent;

/**
 * Options of `TaggingSession.events(options)`: which events one reader yields.
 *
 * @example
 * ```ts
 * // the captured bytes of each packet, its fate and each flow record, from one reader
 * for await (const ev of session.events({ types: ['flow', 'packet-tagged'], packets: true, flows: true })) {
 *   if (ev.type === 'packet-tagged') capture(ev.record.snap);
 *   else if (ev.type === 'packet-fate') console.log(ev.fate.verdict);
 *   else if (ev.type === 'flow-record') console.log(ev.flow.appProtocol, ev.latency?.p99Us);
 * }
 * ```
 */
export interface EventsOptions {
  /** The driver-record events to yield (default all); `[]` yields only the derived events asked for. */
  readonly types?: readonly TaggingEventType[];
  /** Also yield a {@link PacketFateEvent} per packet fate record. Default false. */
  readonly packets?: boolean;
  /** Also yield a {@link FlowRecordEvent} per ended flow. Default false. */
  readonly flows?: boolean;
}

/**
 * The name of a LOSS record's reason.
 *
 * @example
 * ```ts
 * import { LossReason } from '@wfpkit/ioctl-client';

import type { PacketFate } from './fate';
import type { FlowRecord } from './flow';
 * import { lossReasonName } from '@wfpkit/tagging';
 * lossReasonName(LossReason.RING_FULL); // 'ring-full'
 * ```
 */
export function lossReasonName(reason: number): LossReasonName {
  switch (reason) {
    case LossReason.RING_FULL:
      return 'ring-full';
    case LossReason.LEDGER_FULL:
      return 'ledger-full';
    case LossReason.FLOW_TABLE_FULL:
      return 'flow-table-full';
    default:
      return 'unknown';
  }
}

/**
 * The event for a driver record, or `undefined` for kinds that are never in a session's ring
 * (FLOW_INFO).
 *
 * @example
 * ```ts
 * const event = toTaggingEvent(record);
 * if (event?.type === 'loss') console.warn(`${event.lost} lost (${event.reason})`);
 * ```
 */
export function toTaggingEvent(record: ContractRecord): TaggingEvent | undefined {
  switch (record.kind) {
    case 'FLOW_ESTABLISHED':
      return { type: 'flow', record };
    case 'FLOW_CLASSIFIED':
      return { type: 'classification', record };
    case 'STREAM_DATA':
      return { type: 'stream', record };
    case 'PACKET_TAGGED':
      return { type: 'packet-tagged', record };
    case 'PACKET_NOTIFY':
      return { type: 'packet-notify', record };
    case 'PACKET_DISCARDED':
      return { type: 'packet-discarded', record };
    case 'FLOW_DELETED':
      return { type: 'flow-deleted', record };
    case 'LOSS':
      return {
        type: 'loss',
        reason: lossReasonName(record.reason),
        lost: Number(record.lost),
        totalLost: Number(record.totalLost),
        record,
      };
    default:
      return undefined;
  }
}
