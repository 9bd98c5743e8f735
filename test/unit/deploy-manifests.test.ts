import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from '@jest/globals';
import { parseAllDocuments, parse as parseYaml, type Tags } from 'yaml';
import { z } from 'zod';
import { VARIABLE_NAMES, isSecretVariable } from '../../bot/config/variables.js';

const deployDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../manifests/deploy');
const COMMANDS = new Set(['start', 'bot', 'worker']);
// Compose's merge tags, which plain YAML does not know.
const composeTags: Tags = [
  { tag: '!reset', resolve: () => null },
  { tag: '!override', collection: 'map', resolve: (value: unknown) => value },
];

const envVar = z.object({
  name: z.string(),
  value: z.string().optional(),
  valueFrom: z
    .object({
      secretKeyRef: z.object({ name: z.string(), key: z.string(), optional: z.boolean().optional() }),
    })
    .optional(),
});
const probe = z.object({ httpGet: z.object({ path: z.string(), port: z.union([z.string(), z.number()]) }) });
const container = z.object({
  name: z.string(),
  image: z.string(),
  args: z.array(z.string()),
  env: z.array(envVar),
  livenessProbe: probe,
  readinessProbe: probe,
  ports: z.array(z.object({ name: z.string(), containerPort: z.number() })),
});
const deployment = z.object({
  apiVersion: z.literal('apps/v1'),
  kind: z.literal('Deployment'),
  metadata: z.object({ name: z.string(), namespace: z.literal('olympus') }),
  spec: z.object({
    replicas: z.number().int().positive(),
    selector: z.object({ matchLabels: z.record(z.string(), z.string()) }),
    template: z.object({
      metadata: z.object({ labels: z.record(z.string(), z.string()) }),
      spec: z.object({ containers: z.array(container).min(1) }),
    }),
  }),
});
const anyObject = z.object({
  apiVersion: z.string(),
  kind: z.string(),
  metadata: z.object({ name: z.string() }),
});

function k8sObjects(): Array<Record<string, unknown>> {
  const dir = path.join(deployDir, 'k8s');
  return readdirSync(dir)
    .filter((file) => file.endsWith('.yaml'))
    .flatMap((file) =>
      parseAllDocuments(readFileSync(path.join(dir, file), 'utf8')).map((doc) => {
        expect(doc.errors).toEqual([]);
        return doc.toJS() as Record<string, unknown>;
      }),
    );
}

describe('deployment manifests', () => {
  test('Kubernetes objects are well-formed; deployments probe /healthz and /readyz and run real commands', () => {
    const objects = k8sObjects();
    expect(objects.map((o) => o.kind).sort()).toEqual(
      ['ConfigMap', 'Deployment', 'Deployment', 'HorizontalPodAutoscaler', 'Namespace', 'Service'].sort(),
    );
    for (const object of objects) anyObject.parse(object);
    for (const object of objects.filter((o) => o.kind === 'Deployment')) {
      const parsed = deployment.parse(object);
      expect(parsed.spec.template.metadata.labels).toMatchObject(parsed.spec.selector.matchLabels);
      for (const c of parsed.spec.template.spec.containers) {
        expect(COMMANDS.has(c.args[0]!)).toBe(true);
        expect(c.livenessProbe.httpGet.path).toBe('/healthz');
        expect(c.readinessProbe.httpGet.path).toBe('/readyz');
        expect(c.ports.map((p) => p.name)).toContain(c.readinessProbe.httpGet.port);
        for (const variable of c.env) {
          expect(VARIABLE_NAMES.has(variable.name)).toBe(true);
          // Secrets only by reference, never as literal values.
          if (isSecretVariable(variable.name)) expect(variable.valueFrom?.secretKeyRef).toBeDefined();
        }
        // The vault lives in the shared store: the bot and every worker hold the same master key.
        expect(
          c.env.find((variable) => variable.name === 'OLYMPUS_MASTER_KEY')?.valueFrom?.secretKeyRef,
        ).toBeDefined();
      }
    }
    const config = objects.find((o) => o.kind === 'ConfigMap') as { data: Record<string, string> };
    for (const name of Object.keys(config.data)) {
      expect(VARIABLE_NAMES.has(name)).toBe(true);
      expect(isSecretVariable(name)).toBe(false);
    }
    const hpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler') as {
      spec: { scaleTargetRef: { name: string }; metrics: Array<{ external: { metric: { name: string } } }> };
    };
    expect(hpa.spec.scaleTargetRef.name).toBe('olympus-worker');
    expect(hpa.spec.metrics[0]?.external.metric.name).toBe('olympus_jobs_queued');
  });

  test('compose runs a bot and scalable workers on PostgreSQL, with a MongoDB overlay', () => {
    const compose = parseYaml(readFileSync(path.join(deployDir, 'compose.yaml'), 'utf8'), {
      merge: true,
    }) as {
      services: Record<
        string,
        { command?: string[]; environment?: Record<string, string>; deploy?: { replicas: number } }
      >;
    };
    expect(Object.keys(compose.services).sort()).toEqual(['bot', 'postgres', 'worker']);
    expect(compose.services.bot?.command).toEqual(['bot']);
    expect(compose.services.worker?.command).toEqual(['worker']);
    expect(compose.services.worker?.deploy?.replicas).toBeGreaterThan(1);
    for (const service of ['bot', 'worker']) {
      for (const name of Object.keys(compose.services[service]?.environment ?? {}))
        expect(VARIABLE_NAMES.has(name)).toBe(true);
    }
    const overlay = parseYaml(readFileSync(path.join(deployDir, 'compose.mongodb.yaml'), 'utf8'), {
      customTags: composeTags,
    }) as {
      services: Record<string, { environment?: Record<string, string | null> }>;
    };
    expect(overlay.services.worker?.environment?.MONGODB_URI).toMatch(/^mongodb:\/\//);
    expect(overlay.services.worker?.environment?.DATABASE_URL).toBeNull();
  });

  test('the container image is multi-stage and runs the built command as an unprivileged user', () => {
    const dockerfile = readFileSync(path.join(deployDir, 'Dockerfile'), 'utf8');
    const stages = dockerfile.split('\n').filter((line) => line.startsWith('FROM '));
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages.every((line) => line.includes('node:20'))).toBe(true);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toContain('ENTRYPOINT ["node", "--max-semi-space-size=4", "dist/bot/cli.js"]');
    expect(dockerfile).toContain('npm ci');
  });
});
