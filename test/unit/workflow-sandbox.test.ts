import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import ts from 'typescript';

const ROOT = resolve(__dirname, '../..');

/** Every project module a workflow executes: value imports followed from src/workflows (type-only ones are erased). */
function workflowModules(): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022);
    for (const statement of source.statements) {
      const specifier = valueImport(statement);
      if (specifier?.startsWith('.')) visit(resolveModule(resolve(dirname(file), specifier)));
    }
  };
  visit(resolve(ROOT, 'src/workflows/index.ts'));
  return [...seen].map((f) => relative(ROOT, f)).sort();
}

function valueImport(statement: ts.Statement): string | undefined {
  if (ts.isImportDeclaration(statement)) {
    const clause = statement.importClause;
    if (clause?.isTypeOnly) return undefined;
    const named = clause?.namedBindings;
    if (clause && !clause.name && named && ts.isNamedImports(named) && named.elements.every((e) => e.isTypeOnly))
      return undefined;
    return (statement.moduleSpecifier as ts.StringLiteral).text;
  }
  if (ts.isExportDeclaration(statement) && statement.moduleSpecifier && !statement.isTypeOnly) {
    return (statement.moduleSpecifier as ts.StringLiteral).text;
  }
  return undefined;
}

function resolveModule(path: string): string {
  for (const candidate of [`${path}.ts`, resolve(path, 'index.ts')]) {
    try {
      readFileSync(candidate);
      return candidate;
    } catch {
      // try the next form
    }
  }
  throw new Error(`cannot resolve ${path}`);
}

/**
 * Lints `code` as if it were each of `files`, in one ESLint process (the Node API is ESM-only at the config level, so it
 * runs outside jest). Type-aware rules need files the TypeScript project knows; the sandbox rule does not.
 */
function lint(code: string, files: string[]): Record<string, string> {
  const script = `
    import { ESLint } from 'eslint';
    const { code, files } = JSON.parse(process.argv[1]);
    const eslint = new ESLint({ overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parserOptions: { projectService: false } }, rules: { '@typescript-eslint/no-floating-promises': 'off' } }] });
    const out = {};
    for (const filePath of files) {
      const [result] = await eslint.lintText(code, { filePath });
      out[filePath] = result.messages.map((m) => m.ruleId + ': ' + m.message).join('\\n');
    }
    process.stdout.write(JSON.stringify(out));`;
  const stdout = execFileSync(
    process.execPath,
    ['--input-type=module', '-e', script, JSON.stringify({ code, files })],
    { cwd: ROOT, encoding: 'utf8' },
  );
  return JSON.parse(stdout) as Record<string, string>;
}

describe('the workflow sandbox lint rule', () => {
  const modules = workflowModules();

  test('finds the modules a workflow runs', () => {
    expect(modules).toEqual(
      expect.arrayContaining([
        'src/workflows/deliver-event.ts',
        'src/customerio/outcomes.ts',
        'src/shared/event-time.ts',
      ]),
    );
    // The I/O side of the Customer.io code is not among them.
    expect(
      modules.filter(
        (m) => m.includes('/http/') || m.endsWith('event-schema.ts') || m.endsWith('customerio/config.ts'),
      ),
    ).toEqual([]);
  });

  test('covers every one of them: a Node built-in imported anywhere a workflow reaches fails lint, with the reason', () => {
    const probe =
      "import { createHash } from 'node:crypto';\nexport const digest = (s: string) => createHash('sha256').update(s).digest('hex');\n";
    const errors = lint(probe, modules);
    for (const file of modules) {
      expect({ file, errors: errors[file] }).toEqual({
        file,
        errors: expect.stringContaining('runs in a sandbox without Node built-ins'),
      });
    }
  }, 60_000);

  test('a bare built-in name and an I/O library are refused too; a module outside the sandbox may use them', () => {
    const one = (code: string, file: string) => lint(code, [file])[file];
    expect(
      one("import { readFileSync } from 'fs';\nexport const r = readFileSync;\n", 'src/customerio/new-module.ts'),
    ).toContain('sandbox');
    expect(one("import { request } from 'undici';\nexport const r = request;\n", 'src/shared/new-module.ts')).toContain(
      'I/O or heavy boundary libraries',
    );
    expect(
      one(
        "import { createHash } from 'node:crypto';\nexport const h = createHash;\n",
        'src/customerio/http/new-module.ts',
      ),
    ).toBe('');
  }, 60_000);
});
