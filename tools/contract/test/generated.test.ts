import * as fs from 'node:fs';
import * as path from 'node:path';
import { generate } from '../src/generate';
import { schema } from '../src/schema';
import { repoRoot } from './helpers';

describe('generated contract files', () => {
  it.each(generate(schema).map((f) => [f.path, f.content]))('%s is what the schema generates (run `npm run contract` if not)', (file, content) => {
    const onDisk = fs.readFileSync(path.join(repoRoot, file), 'utf8');
    expect(onDisk === content).toBe(true);
  });

  it('detects a schema edit that was not regenerated', () => {
    const edited = structuredClone(schema);
    const flags = edited.structs.find((s) => s.name === 'SessionConfig')?.fields.find((f) => f.name === 'flags');
    if (!flags) throw new Error('SessionConfig.flags missing');
    flags.doc = 'Edited without regenerating.';
    const stale = generate(edited).filter((f) => fs.readFileSync(path.join(repoRoot, f.path), 'utf8') !== f.content);
    expect(stale.map((f) => f.path).sort()).toEqual(generate(schema).map((f) => f.path).sort());
  });
});
