/**
 * `@wfpkit/tagging`: the transport-independent core of WFP packet tagging. It turns the
 * wfpkit driver's event records into packet fate records (tag → exit → send-complete →
 * removed, with verdicts and in-stack latencies), streaming latency percentiles and
 * NetFlow-like flow records. Driver-backed sessions (`TaggingSession`) come with the driver.
 *
 * @packageDocumentation
 */
export * from './time';
export * from './net';
export * from './fate';
export * from './latency';
export * from './flow';
