#!/usr/bin/env node
/**
 * `node tools/abi-check/dist/cli.js [--mismatches]`: prints the comparison table.
 * Exit code 0 when every value matches, 1 on a mismatch, 2 when the cross compiler is missing.
 *
 * @module
 */
import { formatTable, runAbiCheck } from './index';

const result = runAbiCheck();
if (!result.available) {
  console.error(result.reason);
  process.exitCode = 2;
} else {
  const onlyBad = process.argv.includes('--mismatches');
  console.log(formatTable(onlyBad ? result.mismatches : result.rows));
  const structs = new Set(result.rows.map((r) => r.struct)).size;
  console.log(`\n${structs} structs, ${result.rows.length} values checked, ${result.mismatches.length} mismatches.`);
  if (result.mismatches.length) process.exitCode = 1;
}
