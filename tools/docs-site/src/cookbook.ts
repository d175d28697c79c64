/**
 * Runs a guide's code: the `ts` blocks of a Markdown page, in order, as one program, type-checked
 * against the packages' declarations and then run with Node; its standard output must equal the
 * page's `text` blocks, in order. So a guide whose code or output no longer matches the packages
 * fails a test instead of rotting.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

/** A fenced code block of a Markdown page. */
export interface CodeBlock {
  /** The info string's first word (`ts`, `text`, `sh`, …; empty when there is none). */
  lang: string;
  /** The block's text, ending with a newline. */
  code: string;
  /** 1-based line of the opening fence. */
  line: number;
}

/**
 * The fenced code blocks of a Markdown text (backtick fences of three or more; a closing fence
 * must be at least as long as the opening one).
 *
 * @param markdown - the page
 * @throws Error when a fence is not closed
 */
export function codeBlocks(markdown: string): CodeBlock[] {
  const lines = markdown.split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,})\s*([^\s`]*)/.exec(lines[i] as string);
    if (!open) continue;
    const fence = open[1] as string;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !new RegExp(`^${fence}\`*\\s*$`).test(lines[i] as string); i++) body.push(lines[i] as string);
    if (i >= lines.length) throw new Error(`code block opened on line ${start + 1} is not closed`);
    blocks.push({ lang: open[2] ?? '', code: body.length > 0 ? `${body.join('\n')}\n` : '', line: start + 1 });
  }
  return blocks;
}

/** The program a page's `ts` blocks make, and the output its `text` blocks promise. */
export interface PageProgram {
  /** TypeScript: the blocks' imports first, the rest in order inside an async `main`. */
  source: string;
  /** What the program must print: the `text` blocks joined. */
  expectedOutput: string;
  /** Modules the blocks import. */
  imports: string[];
}

const IMPORT = /^import\s[\s\S]*?\sfrom\s+'([^']+)';\n/gm;

/**
 * Builds one program from a page's `ts` blocks.
 *
 * @param markdown - the page
 * @param allowedImports - modules a block may import; any other is an error
 * @throws Error for an import outside `allowedImports`, or a page without `ts` blocks
 */
export function pageProgram(markdown: string, allowedImports: readonly string[]): PageProgram {
  const blocks = codeBlocks(markdown);
  const code = blocks.filter((b) => b.lang === 'ts' || b.lang === 'typescript');
  if (code.length === 0) throw new Error('the page has no ts blocks');
  const imports: string[] = [];
  const importLines: string[] = [];
  const bodies: string[] = [];
  for (const block of code) {
    const body = block.code.replace(IMPORT, (statement: string, from: string) => {
      if (!allowedImports.includes(from)) throw new Error(`the block on line ${block.line} imports ${from}; allowed: ${allowedImports.join(', ')}`);
      imports.push(from);
      importLines.push(statement.trimEnd());
      return '';
    });
    bodies.push(`  // --- block at line ${block.line}\n${body.replace(/^(?=.)/gm, '  ')}`);
  }
  const source = [
    ...importLines,
    '',
    'async function main(): Promise<void> {',
    ...bodies,
    '}',
    '',
    'main().catch((e: unknown) => {',
    '  console.error(e);',
    '  process.exitCode = 1;',
    '});',
    '',
  ].join('\n');
  const expectedOutput = blocks
    .filter((b) => b.lang === 'text')
    .map((b) => b.code)
    .join('');
  return { source, expectedOutput, imports: [...new Set(imports)] };
}

/** What {@link runPageProgram} found. */
export interface RunResult {
  /** Type errors, formatted with the program's line numbers (empty when it type-checks). */
  typeErrors: string[];
  /** The program's exit status (`null` when it was not run because it did not type-check). */
  status: number | null;
  /** What it printed on stdout. */
  stdout: string;
  /** What it printed on stderr. */
  stderr: string;
}

/**
 * Type-checks a program (strict, the repository's compiler settings) and, when it checks, runs it
 * with Node. The files are written into `workDir`, which must sit inside the repository so that
 * `@wfpkit/*` resolve to the workspace packages (their built `dist`).
 *
 * @param program - from {@link pageProgram}
 * @param workDir - a scratch directory inside the repository
 * @param env - the child's environment
 * @param timeoutMs - kill the child after this long
 */
export function runPageProgram(program: PageProgram, workDir: string, env: NodeJS.ProcessEnv, timeoutMs = 30_000): RunResult {
  fs.mkdirSync(workDir, { recursive: true });
  const file = path.join(workDir, 'program.ts');
  fs.writeFileSync(file, program.source);
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts', 'lib.esnext.disposable.d.ts'],
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    strict: true,
    noUncheckedIndexedAccess: true,
    esModuleInterop: true,
    skipLibCheck: true,
    types: ['node'],
    outDir: workDir,
    rootDir: workDir,
  };
  const host = ts.createCompilerHost(options);
  const tsProgram = ts.createProgram([file], options, host);
  const diagnostics = ts.getPreEmitDiagnostics(tsProgram);
  const typeErrors = diagnostics.map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (!d.file || d.start === undefined) return text;
    const { line } = d.file.getLineAndCharacterOfPosition(d.start);
    return `program.ts:${line + 1}: ${text}`;
  });
  if (typeErrors.length > 0) return { typeErrors, status: null, stdout: '', stderr: '' };
  tsProgram.emit();
  const js = path.join(workDir, 'program.js');
  const child = spawnSync(process.execPath, [js], { cwd: workDir, env, encoding: 'utf8', timeout: timeoutMs });
  return { typeErrors, status: child.status, stdout: child.stdout ?? '', stderr: `${child.stderr ?? ''}${child.error ? String(child.error) : ''}` };
}
