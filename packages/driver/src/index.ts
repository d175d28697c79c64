/**
 * `@wfpkit/driver` carries `wfpkit.sys`, the wfpkit WFP callout driver: its C sources
 * (the portable core and the Windows glue), the MinGW-w64 compatibility headers, the WDK
 * project and INF, and — when it was built on this machine — the MinGW-built PE driver.
 * This module tells a program where those files are inside the installed package.
 *
 * @example
 * ```ts
 * import { driverFiles } from '@wfpkit/driver';
 * const { contractHeader, inf, mingwSys } = driverFiles();
 * console.log(`compile against ${contractHeader}; install with ${inf}; built: ${mingwSys ?? 'no'}`);
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
  /** `src/`: the driver sources (`core/` portable C99, `win/` the WDM + WFP glue). */
  sourcesDir: string;
  /** `src/core/`: the portable core (flow table, sessions, classifiers, ring, dispatcher). */
  coreDir: string;
  /** `src/win/`: the Windows glue (DriverEntry, IRPs, callouts). */
  winDir: string;
  /** `src/win/sources.txt`: the list of sources, include dirs and defines for embedding builds. */
  sourcesList: string;
  /** `compat/`: what MinGW-w64 lacks (fwpsk.h, NDIS 6 structs, IoCreateDeviceSecure, fwpkclnt.def). */
  compatDir: string;
  /** `windows/wfpkit.inf`: installs the driver as a demand-start kernel service. */
  inf: string;
  /** `windows/wfpkit.vcxproj`: the WDK project. */
  vcxproj: string;
  /** `build/mingw/wfpkit.sys` when the MinGW cross build ran (`npm run build:mingw`), else undefined. */
  mingwSys: string | undefined;
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
 * @throws {@link DriverFilesMissingError} when a file that always ships is missing
 *   (the MinGW-built `wfpkit.sys` is optional: `mingwSys` is undefined without it).
 */
export function driverFiles(root: string = path.resolve(__dirname, '..')): DriverFiles {
  const includeDir = path.join(root, 'include');
  const sourcesDir = path.join(root, 'src');
  const winDir = path.join(sourcesDir, 'win');
  const sys = path.join(root, 'build', 'mingw', 'wfpkit.sys');
  const files: DriverFiles = {
    root,
    includeDir,
    contractHeader: path.join(includeDir, 'wfpkit_ioctl.h'),
    sourcesDir,
    coreDir: path.join(sourcesDir, 'core'),
    winDir,
    sourcesList: path.join(winDir, 'sources.txt'),
    compatDir: path.join(root, 'compat'),
    inf: path.join(root, 'windows', 'wfpkit.inf'),
    vcxproj: path.join(root, 'windows', 'wfpkit.vcxproj'),
    mingwSys: fs.existsSync(sys) ? sys : undefined,
  };
  for (const file of [files.contractHeader, files.sourcesList, files.coreDir, files.compatDir, files.inf, files.vcxproj]) {
    if (!fs.existsSync(file)) throw new DriverFilesMissingError(file);
  }
  return files;
}
