/**
 * `@wfpkit/e2e` (private): end-to-end checks of wfpkit. Real captures are replayed through the
 * simulator with the wfpkit driver linked in, a client installs wfpkit's WFP objects and a session's
 * filters like on Windows, reads the events through the device, and the flows are compared with
 * what tshark reads from the same capture.
 *
 * @packageDocumentation
 */
export * from './flows';
export * from './tshark';
export * from './wfpkit';
export * from './session';
export * from './loopback-capture';
export * from './repeat-capture';
