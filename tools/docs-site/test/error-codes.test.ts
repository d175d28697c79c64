import * as fs from 'node:fs';
import * as path from 'node:path';
import { FWP_ERRORS, WIN32_ERRORS } from '@wfpkit/fwpm-bindings';
import { CONTRACT_ERRORS } from '@wfpkit/ioctl-client';
import { ERROR_CODES_PAGE, currentCatalogues, generateErrorCodesPage, generatedPages } from '../src';
import { repoRoot } from './helpers';

describe('the error codes page', () => {
  it.each(generatedPages().map((p) => [p.path, p.content]))('%s is what the catalogues generate (run `npm run generate -w @wfpkit/docs-site` if not)', (file, content) => {
    const onDisk = fs.readFileSync(path.join(repoRoot, file), 'utf8');
    expect(onDisk === content).toBe(true);
  });

  it('lists every code of every catalogue with its fix', () => {
    const page = generateErrorCodesPage();
    for (const e of [...Object.values(FWP_ERRORS), ...Object.values(WIN32_ERRORS)].filter((x) => x.code !== 0)) {
      expect(page).toContain(`| \`${e.name}\` |`);
      expect(page).toContain(e.message.replace(/\|/g, '\\|'));
    }
    for (const e of CONTRACT_ERRORS) {
      expect(page).toContain(`| \`${e.name}\` | ${e.win32} |`);
      expect(page).toContain(e.fix);
    }
    expect(page.startsWith('---\ntitle: Error codes and fixes\n---\n')).toBe(true);
  });

  it('goes stale when a catalogue changes', () => {
    const catalogues = currentCatalogues();
    const edited = { ...catalogues, fwp: catalogues.fwp.map((e, i) => (i === 0 ? { ...e, message: 'Edited without regenerating.' } : e)) };
    const onDisk = fs.readFileSync(path.join(repoRoot, ERROR_CODES_PAGE), 'utf8');
    expect(generateErrorCodesPage(edited) === onDisk).toBe(false);
  });

  it('refuses an exit code it cannot explain', () => {
    const catalogues = currentCatalogues();
    expect(() => generateErrorCodesPage({ ...catalogues, exitCodes: { ...catalogues.exitCodes, SOMETHING_NEW: 9 } })).toThrow(/SOMETHING_NEW \(9\) has no explanation/);
  });

  it('says so when a fix names a monitor-cli command that is not built', () => {
    const catalogues = currentCatalogues();
    const withInstall = generateErrorCodesPage({ ...catalogues, cliCommands: ['contract'] });
    expect(withInstall).toContain('`monitor-cli driver install` is not built yet');
    const built = generateErrorCodesPage({ ...catalogues, cliCommands: ['contract', 'driver'] });
    expect(built).not.toContain('`monitor-cli driver install` is not built yet');
  });

  it('escapes table cells', () => {
    const catalogues = currentCatalogues();
    const page = generateErrorCodesPage({ ...catalogues, win32: [{ name: 'ERROR_PIPE', code: 109, message: 'a | b' }] });
    expect(page).toContain('| `ERROR_PIPE` | 109 | a \\| b |');
  });
});
