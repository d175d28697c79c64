/**
 * Generates `docs/guides/cli-reference.md` from `monitor-cli`'s command definitions: the
 * commander program `createProgram` builds (without running anything) is walked command by
 * command, so every command, alias, argument, option, choice and default on the page is one the
 * CLI accepts.
 */
import { createProgram } from 'monitor-cli';

/** Path of the generated page, relative to the repository root. */
export const CLI_REFERENCE_PAGE = 'docs/guides/cli-reference.md';

/** A commander command, as `createProgram` returns it. */
export type CliCommand = ReturnType<typeof createProgram>;
type Help = ReturnType<CliCommand['createHelp']>;

/** The program as the CLI builds it, with its output discarded. */
export function currentProgram(): CliCommand {
  return createProgram({ out: () => {}, err: () => {} });
}

/** Escapes text for one cell of a Markdown table. */
function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r?\n/g, ' ');
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Full name of a command: its parents' names and its own, e.g. `monitor-cli driver install`. */
function fullName(cmd: CliCommand): string {
  const names: string[] = [];
  for (let c: CliCommand | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** The commands `cmd` defines that `--help` shows (not commander's implicit `help` command). */
function subcommandsOf(cmd: CliCommand, help: Help): CliCommand[] {
  return help.visibleCommands(cmd).filter((c) => cmd.commands.includes(c));
}

/** The commands below `cmd`, depth first, `cmd` excluded. */
function descendants(cmd: CliCommand, help: Help): CliCommand[] {
  return subcommandsOf(cmd, help).flatMap((c) => [c, ...descendants(c, help)]);
}

/** The options of `cmd` that `--help` shows, without the `-h, --help` every command has. */
function optionsOf(cmd: CliCommand, help: Help): ReturnType<Help['visibleOptions']> {
  return help.visibleOptions(cmd).filter((o) => o.long !== '--help');
}

/** A description as a sentence: capitalised, with a full stop. */
function sentence(text: string): string {
  const t = text.trim();
  if (!t) return t;
  return `${t.charAt(0).toUpperCase()}${t.slice(1)}${/[.!?]$/.test(t) ? '' : '.'}`;
}

/** TypeDoc's anchor for a heading (lower case, runs of other characters as `-`). */
function anchor(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

function section(cmd: CliCommand, help: Help, level: number): string {
  // a plain heading: TypeDoc makes its anchor from the text (a code span would give `_`)
  const parts: string[] = [`${'#'.repeat(level)} ${fullName(cmd)}`, ''];
  const description = sentence(cmd.description());
  if (description) parts.push(description, '');
  parts.push('```sh', `npx ${fullName(cmd)} ${cmd.usage()}`.trimEnd(), '```', '');
  if (cmd.aliases().length > 0) parts.push(`Also: ${cmd.aliases().map((a) => `\`${a}\``).join(', ')}.`, '');
  const args = help.visibleArguments(cmd);
  if (args.length > 0) {
    parts.push(
      table(
        ['argument', 'required', 'description'],
        args.map((a) => [`\`${a.name()}${a.variadic ? '...' : ''}\``, a.required ? 'yes' : 'no', cell(help.argumentDescription(a))]),
      ),
      '',
    );
  }
  const options = optionsOf(cmd, help);
  if (options.length > 0) {
    parts.push(
      table(
        ['option', 'description'],
        options.map((o) => [`\`${help.optionTerm(o)}\``, cell(help.optionDescription(o))]),
      ),
      '',
    );
  }
  const subcommands = subcommandsOf(cmd, help);
  if (subcommands.length > 0) {
    parts.push(
      'Subcommands: ' + subcommands.map((s) => `[\`${s.name()}\`](#${anchor(fullName(s))})`).join(', ') + '.',
      '',
    );
  }
  return parts.join('\n');
}

/**
 * The page's Markdown.
 *
 * @param program - the program to describe (default: what `createProgram` builds today)
 * @returns the whole page, front matter included
 */
export function generateCliReferencePage(program: CliCommand = currentProgram()): string {
  const help = program.createHelp();
  const commands = descendants(program, help);
  const head = [
    '---',
    'title: CLI reference',
    '---',
    '',
    '# CLI reference',
    '',
    '<!-- Generated from monitor-cli\'s command definitions by `npm run generate -w @wfpkit/docs-site`: do not edit. -->',
    '',
    `\`${program.name()}\`: ${program.description()}`,
    '',
    `Run it with \`npx ${program.name()} <command>\`. Every command also takes \`-h, --help\`, and`,
    `\`npx ${program.name()} help <command>\` prints the same arguments and options as this page. The global`,
    'options below go before or after the command. Data goes to stdout, messages to stderr; the exit',
    'codes and what to do about each are on the [error codes](error-codes.md) page.',
    '',
    '## Commands',
    '',
    table(
      ['command', 'what it does'],
      commands.map((c) => [`[\`${fullName(c).replace(/^\S+ /, '')}\`](#${anchor(fullName(c))})`, cell(sentence(c.summary() || c.description()))]),
    ),
    '',
    '## Global options',
    '',
    table(
      ['option', 'description'],
      help.visibleOptions(program).map((o) => [`\`${help.optionTerm(o)}\``, cell(help.optionDescription(o))]),
    ),
    '',
  ];
  const body = commands.map((c) => section(c, help, 2));
  return `${[...head, ...body].join('\n').replace(/\n+$/, '')}\n`;
}
