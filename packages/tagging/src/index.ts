/**
 * `@wfpkit/tagging`: WFP packet tagging for TypeScript. {@link TaggingSession} installs what a
 * session needs (dynamic filters scoped to one application), drives the wfpkit driver and
 * streams typed events, packet fate records (tag → exit → send-complete → removed, with
 * verdicts and in-stack latencies) and NetFlow-like flow records. The transport-independent
 * core (`PacketFateTracker`, `FlowTracker`, `LatencySummary`, FILETIME helpers) works on any
 * decoded driver records.
 *
 * @packageDocumentation
 */
export * from './time';
export * from './net';
export * from './fate';
export * from './latency';
export * from './flow';
export * from './events';
export * from './errors';
export * from './install';
export * from './session';
