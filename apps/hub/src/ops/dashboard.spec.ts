import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { METRIKKER } from './metrics';

const ROOT = join(__dirname, '../../../..');
const HISTOGRAM_SERIES = /_(bucket|count|sum)$/;

/** The metric names a PromQL expression uses (a histogram's _bucket/_count/_sum series by the histogram's name). */
function metricNames(expr: string): string[] {
  return [...expr.matchAll(/\bffb_hub_[a-z0-9_]+/g)].map(([name]) => {
    const base = name.replace(HISTOGRAM_SERIES, '');
    return (METRIKKER as readonly string[]).includes(base) ? base : name;
  });
}

describe('the Grafana dashboard and the Prometheus config in infra/', () => {
  const dashboard = JSON.parse(readFileSync(join(ROOT, 'infra/grafana/dashboards/ffb-hub.json'), 'utf8')) as {
    uid: string;
    panels: { title: string; targets: { expr: string }[] }[];
  };
  const used = dashboard.panels.flatMap((p) => p.targets.flatMap((t) => metricNames(t.expr)));

  it('references only metrics the hub promises (METRIKKER)', () => {
    expect(used.length).toBeGreaterThan(0);
    expect([...new Set(used.filter((name) => !(METRIKKER as readonly string[]).includes(name)))]).toEqual([]);
  });

  it('shows every promised metric', () => {
    expect(METRIKKER.filter((name) => !used.includes(name))).toEqual([]);
  });

  it('is provisioned from the folder the provider reads, on the data source it names', () => {
    const provider = readFileSync(join(ROOT, 'infra/grafana/provisioning/dashboards/ffb-hub.yml'), 'utf8');
    expect(provider).toContain('path: /var/lib/grafana/dashboards');
    const datasource = readFileSync(join(ROOT, 'infra/grafana/provisioning/datasources/prometheus.yml'), 'utf8');
    const uids = new Set(
      JSON.stringify(dashboard)
        .match(/"uid":"[^"]+"/g)
        ?.map((m) => m.slice(7, -1)),
    );
    uids.delete(dashboard.uid);
    expect([...uids]).toEqual(['ffb-prometheus']);
    expect(datasource).toContain('uid: ffb-prometheus');
    const prometheus = readFileSync(join(ROOT, 'infra/prometheus/prometheus.yml'), 'utf8');
    expect(prometheus).toMatch(/metrics_path: \/metrics/);
  });
});
