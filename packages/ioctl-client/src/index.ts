/**
 * `@wfpkit/ioctl-client`: the wfpkit driver's IOCTL contract (generated from the schema the C
 * driver is generated from) and a typed client for its device, over a pluggable
 * {@link Transport}.
 *
 * @packageDocumentation
 */
export * from './contract.generated';
export * from './transport';
export * from './errors';
export * from './device';
export * from './kernel32';
export * from './kernel32-transport';
export * from './open-device';
export type { WaitResult } from './wait-thread';
