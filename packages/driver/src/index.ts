/**
 * `@wfpkit/driver` carries the source of `wfpkit.sys`, the wfpkit WFP callout driver, and
 * tells a program where its files are inside the installed package.
 *
 * @example
 * ```ts
 * import { driverFiles } from '@wfpkit/driver';
 * const { contractHeader } = driverFiles();
 * console.log(`compile against ${contractHeader}`);
 * ```
 * @packageDocumentation
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Absolute paths of the driver files this package ships. */
export interface DriverFiles {
  /** The package's root folder. */
  root: string;
  /** Folder to put on a C compiler's include path to compile against the contract. */
  includeDir: string;
  /** `wfpkit_ioctl.h`: the IOCTL contract generated from the schema shared with `@wfpkit/ioctl-client`. */
  contractHeader: string;
}

/** Thrown when a file the package should ship is missing (a broken or partial install). */
export class DriverFilesMissingError extends Error {
  override name = 'DriverFilesMissingError';
  constructor(readonly file: string) {
    super(`@wfpkit/driver is incomplete: ${file} is missing. Reinstall the package (npm install @wfpkit/driver).`);
  }
}

/**
 * Locates the files of the installed package and checks that they exist.
 *
 * @param root - package root to look in; defaults to this package's own root.
 * @throws {@link DriverFilesMissingError} when a file is missing.
 */
export function driverFiles(root: string = path.resolve(__dirname, '..')): DriverFiles {
  const includeDir = path.join(root, 'include');
  const files: DriverFiles = { root, includeDir, contractHeader: path.join(includeDir, 'wfpkit_ioctl.h') };
  for (const file of [files.contractHeader]) {
    if (!fs.existsSync(file)) throw new DriverFilesMissingError(file);
  }
  return files;
}
