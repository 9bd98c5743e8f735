/**
 * The Grafana dashboard in manifests/grafana reads only metric families Olympus exposes: every series a
 * panel queries is a family of the registry (or its histogram _bucket/_count/_sum series), and every
 * family the registry defines for Olympus is shown by some panel.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import { z } from 'zod';
import { createMetrics } from '../../bot/metrics/metrics.js';

const DashboardSchema = z.object({
  title: z.string().min(1),
  uid: z.string().min(1),
  panels: z
    .array(
      z.object({
        id: z.number().int(),
        title: z.string().min(1),
        type: z.string().min(1),
        gridPos: z.object({ x: z.number(), y: z.number(), w: z.number(), h: z.number() }),
        targets: z.array(z.object({ refId: z.string(), expr: z.string().min(1) })).min(1),
      }),
    )
    .min(1),
});

const dashboard = DashboardSchema.parse(
  JSON.parse(
    readFileSync(new URL('../../manifests/grafana/olympus-dashboard.json', import.meta.url), 'utf8'),
  ),
);

describe('Grafana dashboard', () => {
  test('queries only metrics Olympus exposes, and shows every Olympus family', async () => {
    const metrics = createMetrics();
    const families = (await metrics.registry.getMetricsAsJSON()).map((metric) => metric.name);
    const series = new Set(
      families.flatMap((name) => [name, `${name}_bucket`, `${name}_count`, `${name}_sum`]),
    );
    const queried = dashboard.panels.flatMap((panel) =>
      panel.targets.flatMap((target) => target.expr.match(/\bolympus_[a-z_]+\b/g) ?? []),
    );
    expect(queried.length).toBeGreaterThan(0);
    for (const name of queried) expect(series).toContain(name);
    const shown = new Set(queried.map((name) => name.replace(/_(bucket|count|sum)$/, '')));
    const ours = families.filter(
      (name) => !name.startsWith('olympus_process_') && !name.startsWith('olympus_nodejs_'),
    );
    for (const family of ours) expect(shown).toContain(family);
  });

  test('panel ids are unique', () => {
    const ids = dashboard.panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
