import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '../../src/config';
import { searchAttributeCliFlags } from '../../src/temporal/search-attributes';
import { clusterSettings } from '../support/cluster-settings';
import { parseYaml } from '../support/yaml';

/**
 * docker-compose.yml as docker-compose itself reads it: valid, refusing to start without its secrets, and wiring the
 * API and worker the way src/config.ts expects. Needs only the `docker-compose` CLI (no Docker engine): .ci/run
 * installs Debian's docker-compose (v1.29). Compose v2's output (JSON, its own error wording) is provided for but has
 * not been run here.
 */

const ROOT = resolve(__dirname, '../..');
// An empty --env-file stands in for the default ./.env, so a developer's real one cannot leak in (v1 rejects /dev/null).
const EMPTY_DIR = mkdtempSync(join(tmpdir(), 'compose-test-'));
const EMPTY_ENV_FILE = join(EMPTY_DIR, 'empty.env');
writeFileSync(EMPTY_ENV_FILE, '');
afterAll(() => rmSync(EMPTY_DIR, { recursive: true, force: true }));
const COMPOSE = ['-f', 'docker-compose.yml', '--env-file', EMPTY_ENV_FILE];

const SECRETS = {
  POSTGRES_PASSWORD: 'c0ffee0c0ffee0c0ffee0c0ffee0c0ff',
  ENCRYPTION_KEY: '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff',
  SIGNAL_ADMIN_TOKEN: 'admin-token-for-the-test',
  SIGNAL_PIPELINE_KEY: 'pipeline-key-for-the-test',
  GRAFANA_ADMIN_PASSWORD: 'grafana-password-for-the-test',
};

type Env = Record<string, string>;
interface ExecError extends Error {
  code?: string;
  status: number | null;
  stderr: string;
}
interface ComposeService {
  image?: string;
  volumes?: (string | { source?: string; target?: string })[];
  build?: unknown;
  command?: string[] | string;
  environment?: Record<string, string | number | null> | string[];
  depends_on?: Record<string, { condition?: string }> | string[];
  healthcheck?: { test?: string[] | string };
  ports?: unknown[];
}
interface ComposeConfig {
  services: Record<string, ComposeService>;
}

/** Only PATH and HOME from the outside, so a secret exported in the developer's shell cannot make a test pass. */
function composeEnv(vars: Env): Env {
  const env: Env = { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin', ...vars };
  if (process.env.HOME) env.HOME = process.env.HOME;
  return env;
}

function compose(args: string[], vars: Env): string {
  return execFileSync('docker-compose', [...COMPOSE, ...args], {
    cwd: ROOT,
    env: composeEnv(vars),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
}

function composeFails(args: string[], vars: Env): ExecError {
  try {
    compose(args, vars);
  } catch (err) {
    return err as ExecError;
  }
  throw new Error(`docker-compose ${args.join(' ')} succeeded, expected it to fail`);
}

/** Compose v2 prints JSON itself; v1.29 has no --format, so its YAML goes through PyYAML, which v1 is built on. */
function resolvedConfig(vars: Env): ComposeConfig {
  try {
    return JSON.parse(compose(['config', '--format', 'json'], vars)) as ComposeConfig;
  } catch {
    return parseYaml(compose(['config'], vars)) as ComposeConfig;
  }
}

function environment(service: ComposeService): Env {
  const raw = service.environment ?? {};
  const entries = Array.isArray(raw)
    ? raw.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])
    : Object.entries(raw);
  const env: Env = {};
  for (const [k, v] of entries) if (k && v !== null && v !== undefined) env[k] = String(v);
  return env;
}

function dependsOn(service: ComposeService): Record<string, string | undefined> {
  const raw = service.depends_on ?? {};
  if (Array.isArray(raw)) return Object.fromEntries(raw.map((name) => [name, undefined]));
  return Object.fromEntries(Object.entries(raw).map(([name, dep]) => [name, dep.condition]));
}

/** Its bind mounts as source → target, whichever syntax compose printed them in. */
function mounts(service: ComposeService): { source?: string; target?: string }[] {
  return (service.volumes ?? []).map((v) =>
    typeof v === 'string' ? { source: v.split(':')[0], target: v.split(':')[1] } : v,
  );
}

/** The server version scripts/temporal-server builds for CI: compose must run the same one. */
function ciServerVersion(): string {
  const script = readFileSync(resolve(ROOT, 'scripts/temporal-server'), 'utf8');
  return /^SERVER_VERSION="(\d+\.\d+\.\d+)"$/m.exec(script)![1]!;
}

/** The Prometheus release scripts/promtool builds for CI: compose must run the same one. */
function promtoolVersion(): string {
  const script = readFileSync(resolve(ROOT, 'scripts/promtool'), 'utf8');
  return /^PROMETHEUS_VERSION="(\d+\.\d+\.\d+)"$/m.exec(script)![1]!;
}

const TEMPORAL_SERVICES = ['temporal-schema', 'temporal', 'temporal-namespace'];
const SETTINGS_DIR = '/etc/temporal/signal';

/** The variable names EnvSchema declares, read from the source so a renamed setting breaks this test. */
function configVariables(): Set<string> {
  const source = readFileSync(resolve(ROOT, 'src/config.ts'), 'utf8');
  const schema = source.slice(
    source.indexOf('const EnvSchema = z.object({'),
    source.indexOf('});', source.indexOf('const EnvSchema')),
  );
  return new Set([...schema.matchAll(/^\s+([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]!));
}

describe('docker-compose.yml', () => {
  beforeAll(() => {
    try {
      execFileSync('docker-compose', ['version'], { stdio: 'ignore', timeout: 60_000 });
    } catch (err) {
      const missing = (err as ExecError).code === 'ENOENT';
      throw new Error(
        missing
          ? "docker-compose is not installed: install Debian's docker-compose package (apt-get install --no-install-recommends docker-compose); .ci/run does this in CI"
          : `docker-compose is installed but does not run: ${(err as Error).message}`,
      );
    }
  });

  test('is valid with its required secrets set', () => {
    expect(() => compose(['config', '-q'], SECRETS)).not.toThrow();
  });

  test('refuses to start without ENCRYPTION_KEY, naming it', () => {
    const { ENCRYPTION_KEY: _omitted, ...rest } = SECRETS;
    const err = composeFails(['config', '-q'], rest);
    expect(err.status).not.toBe(0);
    // The `${ENCRYPTION_KEY:?…}` message, as both compose versions print it after the variable's context.
    expect(err.stderr).toMatch(/: set ENCRYPTION_KEY\b/);
  });

  test.each(Object.keys(SECRETS).filter((k) => k !== 'ENCRYPTION_KEY'))('refuses to start without %s', (name) => {
    const vars: Env = { ...SECRETS };
    delete vars[name];
    expect(composeFails(['config', '-q'], vars).stderr).toMatch(new RegExp(`: set ${name}\\b`));
  });

  describe('resolved', () => {
    let config: ComposeConfig;
    beforeAll(() => {
      config = resolvedConfig(SECRETS);
    });

    test('has the whole stack', () => {
      expect(Object.keys(config.services).sort()).toEqual([
        'api',
        'grafana',
        'postgresql',
        'prometheus',
        'temporal',
        'temporal-namespace',
        'temporal-schema',
        'temporal-ui',
        'worker',
      ]);
      expect(config.services.postgresql!.image).toMatch(/^postgres:16\b/);
      // Production images, pinned to the version CI builds and tests the service on; no auto-setup anywhere.
      expect(config.services.temporal!.image).toBe(`temporalio/server:${ciServerVersion()}`);
      expect(config.services['temporal-schema']!.image).toBe(`temporalio/admin-tools:${ciServerVersion()}`);
      expect(config.services['temporal-namespace']!.image).toBe(`temporalio/admin-tools:${ciServerVersion()}`);
      expect(JSON.stringify(config)).not.toContain('auto-setup');
      expect(config.services['temporal-ui']!.image).toMatch(/^temporalio\/ui:/);
    });

    test('api and worker run the same image, each its own process', () => {
      const { api, worker } = config.services;
      expect(api!.image).toBeDefined();
      expect(worker!.image).toBe(api!.image);
      expect([api!.command].flat()).toEqual(['node', 'dist/api/main.js']);
      expect([worker!.command].flat()).toEqual(['node', 'dist/worker/main.js']);
    });

    test.each(['api', 'worker'])('%s reaches PostgreSQL (its own database) and Temporal', (name) => {
      const env = environment(config.services[name]!);
      expect(env.DATABASE_URL).toBe(`postgres://signal:${SECRETS.POSTGRES_PASSWORD}@postgresql:5432/signal`);
      expect(env.TEMPORAL_ADDRESS).toBe('temporal:7233');
      expect(env.TEMPORAL_NAMESPACE).toBe(clusterSettings().TEMPORAL_NAMESPACE);
      expect(env.ENCRYPTION_KEY).toBe(SECRETS.ENCRYPTION_KEY);
      expect(dependsOn(config.services[name]!)).toEqual({
        postgresql: 'service_healthy',
        temporal: 'service_healthy',
        'temporal-namespace': 'service_completed_successfully',
      });
    });

    test.each(['api', 'worker'])('%s is given only settings src/config.ts reads, and they load', (name) => {
      const env = environment(config.services[name]!);
      const known = configVariables();
      expect(known.size).toBeGreaterThan(10);
      expect(Object.keys(env).filter((k) => !known.has(k))).toEqual([]);
      const loaded = loadConfig(env);
      expect(loaded).toMatchObject({
        DATABASE_URL: env.DATABASE_URL,
        TEMPORAL_ADDRESS: 'temporal:7233',
        TEMPORAL_UI_URL: 'http://localhost:8233',
      });
    });

    test('the api listens on 0.0.0.0:8084, publishes it, and has the admin and pipeline secrets', () => {
      const api = config.services.api!;
      const loaded = loadConfig(environment(api));
      expect(loaded).toMatchObject({
        HOST: '0.0.0.0',
        PORT: 8084,
        SIGNAL_ADMIN_TOKEN: SECRETS.SIGNAL_ADMIN_TOKEN,
        SIGNAL_PIPELINE_KEY: SECRETS.SIGNAL_PIPELINE_KEY,
      });
      expect(JSON.stringify(api.ports)).toMatch(/8084/);
      // Least privilege: the worker has no use for the API's tokens.
      const worker = environment(config.services.worker!);
      expect(worker.SIGNAL_ADMIN_TOKEN).toBeUndefined();
      expect(worker.SIGNAL_PIPELINE_KEY).toBeUndefined();
    });

    test('the api has a healthcheck on /healthz that needs no curl', () => {
      const test = [config.services.api!.healthcheck?.test ?? []].flat().join(' ');
      expect(test).toMatch(/^CMD node -e .*http:\/\/127\.0\.0\.1:8084\/healthz/);
    });

    test('Temporal: schema job on a healthy PostgreSQL, then the health-checked server, then the namespace job', () => {
      const { temporal, 'temporal-schema': schema, 'temporal-namespace': namespace } = config.services;
      for (const service of [schema!, temporal!]) {
        expect(environment(service)).toMatchObject({
          POSTGRES_SEEDS: 'postgresql',
          DB_PORT: '5432',
          POSTGRES_USER: 'signal',
          POSTGRES_PWD: SECRETS.POSTGRES_PASSWORD,
        });
      }
      expect(dependsOn(schema!)).toEqual({ postgresql: 'service_healthy' });
      expect(dependsOn(temporal!)).toEqual({ 'temporal-schema': 'service_completed_successfully' });
      expect(dependsOn(namespace!)).toEqual({ temporal: 'service_healthy' });
      expect([temporal!.healthcheck?.test].flat().join(' ')).toMatch(/^CMD-SHELL wget .*127\.0\.0\.1:7243\//);
      expect([config.services.postgresql!.healthcheck?.test].flat().join(' ')).toMatch(/pg_isready/);
      expect(environment(namespace!).TEMPORAL_ADDRESS).toBe('temporal:7233');
      expect(environment(config.services['temporal-ui']!).TEMPORAL_ADDRESS).toBe('temporal:7233');
      expect(environment(schema!).SCHEMA_DIR).toBe('/etc/temporal/schema');
    });

    test('compose runs Temporal from deploy/temporal: cluster.env, server.yaml, dynamic config and setup.sh', () => {
      const settings = clusterSettings();
      for (const name of TEMPORAL_SERVICES) {
        const service = config.services[name]!;
        // Every cluster setting reaches every Temporal container unchanged (compose reads the file as env_file).
        expect(environment(service)).toMatchObject(settings);
        expect(mounts(service)).toContainEqual(
          expect.objectContaining({ source: resolve(ROOT, 'deploy/temporal'), target: SETTINGS_DIR }),
        );
      }
      const server = environment(config.services.temporal!);
      expect(server.TEMPORAL_SERVER_CONFIG_FILE_PATH).toBe(`${SETTINGS_DIR}/${settings.TEMPORAL_SERVER_CONFIG}`);
      expect(server.DYNAMIC_CONFIG_FILE_PATH).toBe(`${SETTINGS_DIR}/${settings.TEMPORAL_DYNAMIC_CONFIG}`);
      expect([config.services['temporal-schema']!.command].flat()).toEqual([
        'sh',
        `${SETTINGS_DIR}/setup.sh`,
        'schema',
      ]);
      expect([config.services['temporal-namespace']!.command].flat()).toEqual([
        'sh',
        `${SETTINGS_DIR}/setup.sh`,
        'namespace',
      ]);
    });

    test('Prometheus runs deploy/prometheus (the release promtool checks it with) and scrapes the api and every worker', () => {
      const prometheus = config.services.prometheus!;
      expect(prometheus.image).toBe(`prom/prometheus:v${promtoolVersion()}`);
      expect(mounts(prometheus)).toContainEqual(
        expect.objectContaining({ source: resolve(ROOT, 'deploy/prometheus'), target: '/etc/prometheus' }),
      );
      expect([prometheus.command].flat()).toContain('--config.file=/etc/prometheus/prometheus.yml');
      // Where prometheus.yml looks is where the api and the worker serve their metrics, on the compose network.
      const scrape = parseYaml(readFileSync(resolve(ROOT, 'deploy/prometheus/prometheus.yml'), 'utf8')) as {
        rule_files: string[];
        scrape_configs: {
          job_name: string;
          static_configs?: { targets: string[] }[];
          dns_sd_configs?: { names: string[]; port: number }[];
        }[];
      };
      const targets = scrape.scrape_configs.flatMap((job) => [
        ...(job.static_configs ?? []).flatMap((c) => c.targets),
        ...(job.dns_sd_configs ?? []).flatMap((c) => c.names.map((name) => `${name}:${c.port}`)),
      ]);
      const api = loadConfig(environment(config.services.api!));
      const worker = loadConfig(environment(config.services.worker!));
      expect(worker.METRICS_HOST).toBe('0.0.0.0');
      expect(targets.sort()).toEqual(
        [`api:${api.PORT}`, `worker:${worker.METRICS_PORT}`, `worker:${worker.TEMPORAL_METRICS_PORT}`].sort(),
      );
      expect(scrape.rule_files).toEqual(['alerts.yml']);
      // Neither metrics port is published: they have no authentication.
      expect(config.services.worker!.ports).toBeUndefined();
    });

    test('Grafana gets the provisioned data source and dashboard, and an admin password from the environment', () => {
      const grafana = config.services.grafana!;
      expect(mounts(grafana)).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            source: resolve(ROOT, 'deploy/grafana/provisioning'),
            target: '/etc/grafana/provisioning',
          }),
          expect.objectContaining({
            source: resolve(ROOT, 'deploy/grafana/dashboards'),
            target: '/var/lib/grafana/dashboards',
          }),
        ]),
      );
      expect(environment(grafana).GF_SECURITY_ADMIN_PASSWORD).toBe(SECRETS.GRAFANA_ADMIN_PASSWORD);
      const datasources = parseYaml(
        readFileSync(resolve(ROOT, 'deploy/grafana/provisioning/datasources/prometheus.yml'), 'utf8'),
      ) as { datasources: { uid: string; url: string }[] };
      expect(datasources.datasources).toEqual([
        expect.objectContaining({ uid: 'prometheus', url: 'http://prometheus:9090' }),
      ]);
      const dashboards = parseYaml(
        readFileSync(resolve(ROOT, 'deploy/grafana/provisioning/dashboards/signal-customerio.yml'), 'utf8'),
      ) as { providers: { options: { path: string } }[] };
      expect(dashboards.providers.map((p) => p.options.path)).toEqual(['/var/lib/grafana/dashboards']);
      // The dashboard's panels all read the provisioned data source.
      const dashboard = JSON.parse(
        readFileSync(resolve(ROOT, 'deploy/grafana/dashboards/signal-customerio.json'), 'utf8'),
      ) as { panels: { type: string; datasource?: { uid: string } }[] };
      const uids = new Set(dashboard.panels.filter((p) => p.type !== 'row').map((p) => p.datasource?.uid));
      expect([...uids]).toEqual(['prometheus']);
    });

    test.each(['prometheus', 'grafana', 'temporal-ui'])(
      '%s is published on loopback only (behind an SSH tunnel or an authenticating proxy)',
      (name) => {
        const ports = JSON.stringify(config.services[name]!.ports);
        expect(ports).toMatch(/127\.0\.0\.1/);
        expect(ports).not.toMatch(/0\.0\.0\.0/);
      },
    );

    test("Temporal runs with the repository's dynamic config: eager execution and start, polls completed on shutdown", () => {
      const file = readFileSync(resolve(ROOT, 'deploy/temporal', clusterSettings().TEMPORAL_DYNAMIC_CONFIG!), 'utf8');
      expect(file).toMatch(/^system\.enableActivityEagerExecution:\n {2}- value: true$/m);
      expect(file).toMatch(/^system\.enableEagerWorkflowStart:\n {2}- value: true$/m);
      // Without it a worker stopping on SIGTERM can take workflow tasks it never runs (issue 14, item 13).
      expect(file).toMatch(/^frontend\.enableCancelWorkerPollsOnShutdown:\n {2}- value: true$/m);
    });
  });
});

describe('deploy/temporal/cluster.env, the one source of the Temporal cluster settings', () => {
  const settings = clusterSettings();

  test('names the search attributes the code declares, with their types', () => {
    expect(settings.TEMPORAL_SEARCH_ATTRIBUTES!.split(',')).toEqual(
      searchAttributeCliFlags().filter((flag) => flag !== '--search-attribute'),
    );
  });

  test('has the shard count, namespace, retention and the files the server runs with', () => {
    expect(settings.NUM_HISTORY_SHARDS).toMatch(/^[1-9]\d*$/);
    expect(settings.TEMPORAL_NAMESPACE).toBe('default');
    expect(settings.TEMPORAL_NAMESPACE_RETENTION).toMatch(/^\d+[hd]$/);
    for (const file of [settings.TEMPORAL_SERVER_CONFIG!, settings.TEMPORAL_DYNAMIC_CONFIG!, 'setup.sh'])
      expect(existsSync(resolve(ROOT, 'deploy/temporal', file))).toBe(true);
    // The server config reads the settings from the environment rather than restating them.
    const template = readFileSync(resolve(ROOT, 'deploy/temporal', settings.TEMPORAL_SERVER_CONFIG!), 'utf8');
    expect(template.split('\n')[0]).toBe('# enable-template');
    expect(template).toMatch(/numHistoryShards: \{\{ env "NUM_HISTORY_SHARDS" \}\}/);
    expect(template).toMatch(/filepath: \{\{ env "DYNAMIC_CONFIG_FILE_PATH" \| quote \}\}/);
  });

  test("CI's cluster (scripts/temporal-cluster) reads the same file and runs the same config and setup script", () => {
    const script = readFileSync(resolve(ROOT, 'scripts/temporal-cluster'), 'utf8');
    expect(script).toContain('. "$DEPLOY/cluster.env"');
    expect(script).toContain('--config-file "$DEPLOY/$TEMPORAL_SERVER_CONFIG"');
    expect(script).toContain('DYNAMIC_CONFIG_FILE_PATH="$DEPLOY/$TEMPORAL_DYNAMIC_CONFIG"');
    expect(script).toMatch(/sh "\$DEPLOY\/setup\.sh" schema/);
    expect(script).toMatch(/sh "\$DEPLOY\/setup\.sh" namespace/);
    expect(script).toContain('DEPLOY="$ROOT/deploy/temporal"');
  });
});

describe('the service image', () => {
  test('runs node with the same settings as npm start: V8 memory, malloc arenas, the workflow-thread preload', () => {
    const script = readFileSync(resolve(ROOT, 'scripts/node-options'), 'utf8');
    const dockerfile = readFileSync(resolve(ROOT, 'Dockerfile'), 'utf8');
    const fromScript = (name: string) => new RegExp(`^${name}="?([^"\\n]+)"?$`, 'm').exec(script)?.[1];
    const fromImage = (name: string) => new RegExp(`^ENV ${name}="?([^"\\n]+)"?$`, 'm').exec(dockerfile)?.[1];
    expect(fromScript('SIGNAL_NODE_OPTIONS')).toMatch(/--max-old-space-size=\d+/);
    // The image's working directory is /app, and dist/ sits there (COPY --from=build /app/dist ./dist).
    const preload = fromScript('SIGNAL_PRELOAD')!;
    expect(existsSync(resolve(ROOT, 'src', preload.replace(/\.js$/, '.ts')))).toBe(true);
    expect(fromImage('NODE_OPTIONS')).toBe(`${fromScript('SIGNAL_NODE_OPTIONS')} --require=/app/dist/${preload}`);
    expect(dockerfile).toMatch(/^WORKDIR \/app$/m);
    expect(fromImage('MALLOC_ARENA_MAX')).toBe(fromScript('SIGNAL_MALLOC_ARENA_MAX'));
  });
});
