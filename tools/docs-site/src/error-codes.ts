/**
 * Generates `docs/guides/error-codes.md` from the error catalogues the packages ship, so the
 * page lists exactly the codes and fixes the code reports:
 * `FWP_ERRORS` and `WIN32_ERRORS` of `@wfpkit/fwpm-bindings`, `CONTRACT_ERRORS` (and the IOCTLs
 * that report each) of `@wfpkit/ioctl-client`, and `EXIT_CODES` of `monitor-cli`.
 */
import { FWP_ERRORS, WIN32_ERRORS } from '@wfpkit/fwpm-bindings';
import type { FwpErrorInfo } from '@wfpkit/fwpm-bindings';
import { CONTRACT_ERRORS, IOCTLS } from '@wfpkit/ioctl-client';
import type { ContractErrorInfo, IoctlDescriptor } from '@wfpkit/ioctl-client';
import { EXIT_CODES, createProgram } from 'monitor-cli';

/** Path of the generated page, relative to the repository root. */
export const ERROR_CODES_PAGE = 'docs/guides/error-codes.md';

/** The catalogues the page is generated from. */
export interface ErrorCatalogues {
  /** `FWP_E_*` codes of the management API. */
  fwp: readonly FwpErrorInfo[];
  /** Win32 and RPC codes of the management API. */
  win32: readonly FwpErrorInfo[];
  /** Win32 errors the driver completes IOCTLs with. */
  contract: readonly ContractErrorInfo[];
  /** The contract's IOCTLs (for "reported by"). */
  ioctls: readonly IoctlDescriptor[];
  /** `monitor-cli`'s exit codes, by name. */
  exitCodes: Readonly<Record<string, number>>;
  /** The commands `monitor-cli` has today (a fix that names another gets a note). */
  cliCommands: readonly string[];
}

/** The catalogues as the packages export them today. */
export function currentCatalogues(): ErrorCatalogues {
  return {
    fwp: Object.values(FWP_ERRORS),
    win32: Object.values(WIN32_ERRORS),
    contract: CONTRACT_ERRORS,
    ioctls: Object.values(IOCTLS),
    exitCodes: EXIT_CODES,
    cliCommands: createProgram({ out: () => {}, err: () => {} }).commands.map((c) => c.name()),
  };
}

/**
 * What each `monitor-cli` exit code means for the person who ran it. `EXIT_CODES` carries no
 * text at run time, so the explanations live here; a code without one makes generation fail,
 * so a new exit code cannot reach the page undocumented.
 */
const EXIT_CODE_TEXT: Readonly<Record<string, { meaning: string; fix: string }>> = {
  OK: { meaning: 'The command succeeded.', fix: '—' },
  FAILURE: { meaning: 'The command failed; the message on stderr says why.', fix: 'Read the message: it names the cause and what to do.' },
  USAGE: { meaning: 'Unknown command or option, or a missing or invalid argument.', fix: 'Run `npx monitor-cli --help` (or `<command> --help`) for the accepted arguments.' },
  NOT_ELEVATED: { meaning: 'The command needs administrator rights on Windows.', fix: 'Run it from an elevated prompt (Run as administrator).' },
  DRIVER_MISSING: { meaning: 'The wfpkit driver is not installed or not running.', fix: 'Build, sign and install it as the Windows guide describes, then `sc start wfpkit`.' },
};

/** Where the driver reports the errors no IOCTL of the contract lists. */
const NOT_PER_IOCTL: Readonly<Record<string, string>> = {
  ERROR_FILE_NOT_FOUND: 'opening the device',
  ERROR_ACCESS_DENIED: 'opening the device',
  ERROR_INVALID_FUNCTION: 'an IOCTL code the driver does not know',
};

/** Escapes text for one cell of a Markdown table. */
function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function hex(n: number): string {
  return `0x${(n >>> 0).toString(16).toUpperCase().padStart(8, '0')}`;
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

/**
 * The page's Markdown.
 *
 * @param catalogues - the catalogues to list (default: what the packages export)
 * @returns the whole page, front matter included
 * @throws Error when an exit code has no explanation, or a code appears twice in one catalogue
 */
export function generateErrorCodesPage(catalogues: ErrorCatalogues = currentCatalogues()): string {
  for (const [what, list, codeOf] of [
    ['FWP_ERRORS', catalogues.fwp, (e: FwpErrorInfo) => e.code],
    ['WIN32_ERRORS', catalogues.win32, (e: FwpErrorInfo) => e.code],
  ] as const) {
    const seen = new Set<number>();
    for (const e of list) {
      if (seen.has(codeOf(e))) throw new Error(`${what} lists ${hex(codeOf(e))} twice`);
      seen.add(codeOf(e));
    }
  }
  const exitRows = Object.entries(catalogues.exitCodes)
    .sort((a, b) => a[1] - b[1])
    .map(([name, code]) => {
      const text = EXIT_CODE_TEXT[name];
      if (!text) throw new Error(`monitor-cli exit code ${name} (${code}) has no explanation in tools/docs-site/src/error-codes.ts`);
      return [String(code), `\`${name}\``, cell(text.meaning), cell(text.fix)];
    });

  const reportedBy = (name: string): string => {
    const ioctls = catalogues.ioctls.filter((i) => i.errors.includes(name as never)).map((i) => `\`${i.name}\``);
    return ioctls.length > 0 ? ioctls.join(', ') : (NOT_PER_IOCTL[name] ?? 'any request');
  };
  const contractRows = [...catalogues.contract]
    .sort((a, b) => a.win32 - b.win32)
    .map((e) => [`\`${e.name}\``, String(e.win32), `\`${e.ntstatusName}\` (${hex(e.ntstatus)})`, reportedBy(e.name), cell(e.meaning), cell(e.fix)]);
  const fwpRows = [...catalogues.fwp].sort((a, b) => a.code - b.code).map((e) => [`\`${e.name}\``, `\`${hex(e.code)}\``, cell(e.message)]);
  const win32Rows = [...catalogues.win32]
    .filter((e) => e.code !== 0)
    .sort((a, b) => a.code - b.code)
    .map((e) => [`\`${e.name}\``, String(e.code), cell(e.message)]);

  // a message may name a monitor-cli command that is not built yet: say so under the table
  const unbuilt = (texts: readonly { name: string; text: string }[]): string => {
    const notes: string[] = [];
    for (const { name, text } of texts) {
      for (const m of text.matchAll(/`(monitor-cli ([a-z][a-z-]*)[^`]*)`/g)) {
        if (!catalogues.cliCommands.includes(m[2] as string)) {
          notes.push(`- \`${name}\`: \`${m[1] as string}\` is not built yet. Until it is, install and start the driver by hand as [Building and installing the driver on Windows](windows-driver.md) describes.`);
        }
      }
    }
    return notes.length > 0 ? `\n\nNot built yet:\n\n${notes.join('\n')}` : '';
  };
  const contractNotes = unbuilt(catalogues.contract.flatMap((e) => [{ name: e.name, text: e.meaning }, { name: e.name, text: e.fix }]));
  const fwpNotes = unbuilt([...catalogues.fwp, ...catalogues.win32].map((e) => ({ name: e.name, text: e.message })));

  return `---
title: Error codes and fixes
---

# Error codes and fixes

<!-- Generated by tools/docs-site (npm run generate -w @wfpkit/docs-site) from the packages'
error catalogues. Do not edit: a test fails when this page differs from what they generate. -->

Every error wfpkit raises carries a stable code and a message that says what to do. This page
lists them all, from the same catalogues the code reads its messages from, so the text here is
the text you see at run time.

| you used | you catch | its code |
|---|---|---|
| \`@wfpkit/fwpm-bindings\` (the management API) | \`FwpmError\` | \`code\` (the DWORD the API returned), \`name\` (\`FWP_E_…\`, \`ERROR_…\`, \`RPC_S_…\`) and \`operation\` (the C function) |
| \`@wfpkit/fwpm-bindings\`, a bad argument | \`FwpmValidationError\` (a \`TypeError\`), thrown **before** any native call | \`field\` and \`expected\` |
| \`@wfpkit/ioctl-client\` (the driver's device) | \`WfpKitError\` subclasses: \`DriverNotLoadedError\`, \`AccessDeniedError\`, \`ContractMismatchError\`, \`DeviceError\`, \`SessionClosedError\`, \`InvalidArgumentError\` | \`code\` (\`WFPKIT_…\`); a \`DeviceError\` also has \`win32\`, \`win32Name\`, \`ioctl\`, \`meaning\` and \`fix\` from the driver table below |
| \`monitor-cli\` | its exit status | the exit code table below |

## monitor-cli exit codes

Data goes to stdout and messages to stderr. Today the CLI has only the \`contract\` command,
which can end with 0, 1 or 2; codes 3 and 4 are reserved for the monitoring commands that are
not built yet.

${table(['exit code', 'name', 'meaning', 'what to do'], exitRows)}

## Driver errors (IOCTL contract)

What \`GetLastError()\` (on Windows) or the simulator's kernel32 reports when the wfpkit driver
completes a request with an error; \`@wfpkit/ioctl-client\` turns each into an error class
(\`ERROR_FILE_NOT_FOUND\` on open into \`DriverNotLoadedError\`, \`ERROR_ACCESS_DENIED\` into
\`AccessDeniedError\`, \`ERROR_OPERATION_ABORTED\` on a pending read into \`SessionClosedError\`, the
others into \`DeviceError\` with the meaning and fix below). The
[contract reference](contract-reference.md) lists the errors of each IOCTL.

${table(['Win32 error', 'number', 'driver status (NTSTATUS)', 'reported by', 'meaning', 'what to do'], contractRows)}${contractNotes}

## Management API: FWP_E_* codes

Returned by the \`Fwpm*\` functions of \`fwpuclnt.dll\` (and by the simulator, which returns the
same codes for the same mistakes); \`FwpmError.name\` is the name in the first column. Numbers
are MinGW-w64's \`winerror.h\`.

${table(['name', 'code', 'what it means and what to do'], fwpRows)}

## Management API: Win32 and RPC codes

The other codes the management API returns. On Windows, \`ERROR_ACCESS_DENIED\` from an add or
delete almost always means the process is not elevated.

${table(['name', 'code', 'what it means and what to do'], win32Rows)}${fwpNotes}
`;
}
