import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLI_REFERENCE_PAGE, currentProgram, generateCliReferencePage, generatedPages } from '../src';
import type { CliCommand } from '../src';
import { repoRoot } from './helpers';

/** Every command below `cmd` the program defines, depth first. */
function walk(cmd: CliCommand): CliCommand[] {
  return cmd.commands.flatMap((c) => [c, ...walk(c)]);
}

describe('the CLI reference page', () => {
  it('is what monitor-cli\'s commands generate (run `npm run generate -w @wfpkit/docs-site` if not)', () => {
    const onDisk = fs.readFileSync(path.join(repoRoot, CLI_REFERENCE_PAGE), 'utf8');
    expect(onDisk === generateCliReferencePage()).toBe(true);
    expect(generatedPages().map((p) => p.path)).toContain(CLI_REFERENCE_PAGE);
  });

  it('documents every command, argument and option monitor-cli defines', () => {
    const program = currentProgram();
    const page = generateCliReferencePage(program);
    const commands = walk(program);
    expect(commands.length).toBeGreaterThan(0);
    expect(page.startsWith('---\ntitle: CLI reference\n---\n')).toBe(true);
    for (const c of commands) {
      expect(page).toContain(`\n## monitor-cli ${c.name()}\n`);
      for (const a of c.registeredArguments) expect(page).toContain(`| \`${a.name()}${a.variadic ? '...' : ''}\` |`);
      for (const o of c.options) expect(page).toContain(`\`${o.flags}\``);
      for (const alias of c.aliases()) expect(page).toContain(`\`${alias}\``);
    }
    for (const o of program.options) expect(page).toContain(`| \`${o.flags}\` |`);
  });

  it('walks nested commands, shows choices, defaults, aliases and usage, and leaves hidden ones out', () => {
    const program = currentProgram().createCommand('tool').description('a tool for the test');
    program.option('--verbose', 'say more');
    const db = program.command('db').description('database commands').alias('database');
    db.command('add')
      .description('add rows')
      .argument('<table>', 'the table')
      .argument('[rows...]', 'rows | as JSON')
      .option('--mode <mode>', 'how', 'fast');
    db.command('drop', { hidden: true }).description('never shown');
    const page = generateCliReferencePage(program);
    expect(page).toContain('\n## tool db\n\nDatabase commands.\n');
    expect(page).toContain('Also: `database`.');
    expect(page).toContain('Subcommands: [`add`](#tool-db-add).');
    expect(page).toContain('\n## tool db add\n\nAdd rows.\n\n```sh\nnpx tool db add [options] <table> [rows...]\n```');
    expect(page).toContain('| `table` | yes | the table |');
    expect(page).toContain('| `rows...` | no | rows \\| as JSON |');
    expect(page).toContain('| `--mode <mode>` | how (default: "fast") |');
    expect(page).toContain('| `--verbose` | say more |');
    expect(page).toContain('| [`db add`](#tool-db-add) | Add rows. |');
    expect(page).not.toContain('drop');
    expect(page).not.toContain('never shown');
    // every in-page link has its heading
    const anchors = new Set([...page.matchAll(/^#+ (.*)$/gm)].map((m) => (m[1] as string).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')));
    for (const m of page.matchAll(/\]\(#([^)]+)\)/g)) expect(anchors.has(m[1] as string) ? m[1] : `no heading for #${m[1]}`).toBe(m[1]);
  });

  it('goes stale when a command is added', () => {
    const program = currentProgram();
    program.command('brand-new-command').description('added without regenerating');
    const onDisk = fs.readFileSync(path.join(repoRoot, CLI_REFERENCE_PAGE), 'utf8');
    const page = generateCliReferencePage(program);
    expect(page).toContain('\n## monitor-cli brand-new-command\n');
    expect(page === onDisk).toBe(false);
  });
});
