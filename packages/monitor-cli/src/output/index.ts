/**
 * monitor-cli's output layer: Crypto-PAn address anonymisation, pcapng writing of tagged
 * packets, text/json/jsonl formatters, atomic `--output` files and the stderr progress bar.
 */
export * from './cryptopan';
export * from './sink';
export * from './format';
export * from './progress';
export * from './pcapng';
