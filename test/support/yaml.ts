import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * The Python that docker-compose v1 runs on, which has PyYAML (compose is built on it): the interpreter named by
 * docker-compose's own #! line, whatever `python3` on PATH (pyenv, a venv) lacks. .ci/run installs docker-compose.
 */
export function composePython(): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const script = join(dir, 'docker-compose');
    if (!existsSync(script)) continue;
    const shebang = /^#!\s*(\S*python\S*)/.exec(readFileSync(script).subarray(0, 200).toString('latin1'));
    return shebang?.[1] ?? 'python3';
  }
  return 'python3';
}

/** YAML text as PyYAML's safe_load reads it (the project has no YAML parser of its own). */
export function parseYaml(text: string): unknown {
  const json = execFileSync(
    composePython(),
    ['-c', 'import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)'],
    { input: text, encoding: 'utf8' },
  );
  return JSON.parse(json) as unknown;
}
