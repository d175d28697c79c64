#!/usr/bin/env node
/**
 * `npm run stage-prebuilt -w @wfpkit/packaging [-- --library <file> --platform <key> --out <dir>]`:
 * copies the built libwfpsim (default: packages/simulator/build) into the prebuilt package of
 * this machine's platform (or of `--platform`, for a library built on another machine) before
 * `changeset publish`. `-- --clean` removes staged libraries from the repository's packages again.
 */
import { cleanPrebuilt, stagePrebuilt } from './index';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  if (i < 0) return undefined;
  const value = process.argv[i + 1];
  if (value === undefined || value.startsWith('--')) {
    console.error(`stage-prebuilt: ${name} needs a value`);
    process.exit(2);
  }
  return value;
}

try {
  if (process.argv.includes('--clean')) {
    const removed = cleanPrebuilt();
    console.log(removed.length > 0 ? removed.map((f) => `removed ${f}`).join('\n') : 'nothing staged');
  } else {
    const outDir = option('--out');
    const library = option('--library');
    const platform = option('--platform');
    const staged = stagePrebuilt({
      ...(outDir !== undefined ? { outDir } : {}),
      ...(library !== undefined ? { library } : {}),
      ...(platform !== undefined ? { platform } : {}),
    });
    console.log(`${staged.name} (${staged.platform}): ${staged.library}`);
  }
} catch (e) {
  console.error(`stage-prebuilt: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
