// Workload manifests to pods: what each kind expands to, how files may be laid out, what is
// skipped, and that bad input is refused with every problem named by file, object, path and value.
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../shared/errors.ts';
import { loadWorkloads, type Workloads } from '../../shared/manifests/index.ts';

const GiB = 2 ** 30;
const MiB = 2 ** 20;

const container = (requests = '{ cpu: 250m, memory: 256Mi }') => `[{ name: app, image: x, resources: { requests: ${requests} } }]`;

function load(text: string, name = 'pods.yaml'): Workloads {
  return loadWorkloads([{ name, text }]);
}

function problemsOf(text: string, name = 'pods.yaml'): string[] {
  try {
    load(text, name);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return (error as InvalidInputError).problems;
  }
  throw new Error('expected the manifests to be refused');
}

function workload(kind: string, apiVersion: string, spec: string, name = 'web', namespace?: string): string {
  const ns = namespace ? `, namespace: ${namespace}` : '';
  return `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: { name: ${name}${ns} }\nspec:\n${spec}\n`;
}

const template = `  template:\n    metadata: { labels: { app: web } }\n    spec:\n      containers: ${container()}`;

describe('expansion by kind', () => {
  const cases: Array<{ title: string; manifest: string; pods: string[]; ownerKind?: string }> = [
    { title: 'a Pod as it is', manifest: workload('Pod', 'v1', `  containers: ${container()}`, 'solo'), pods: ['default/solo'] },
    { title: 'a Deployment by its replicas', manifest: workload('Deployment', 'apps/v1', `  replicas: 3\n${template}`), pods: ['default/web-0', 'default/web-1', 'default/web-2'], ownerKind: 'ReplicaSet' },
    { title: 'a Deployment without replicas as one', manifest: workload('Deployment', 'apps/v1', template), pods: ['default/web-0'], ownerKind: 'ReplicaSet' },
    { title: 'a Deployment with replicas: null as one', manifest: workload('Deployment', 'apps/v1', `  replicas: null\n${template}`), pods: ['default/web-0'] },
    { title: 'a Deployment scaled to zero as none', manifest: workload('Deployment', 'apps/v1', `  replicas: 0\n${template}`), pods: [] },
    { title: 'a ReplicaSet by its replicas', manifest: workload('ReplicaSet', 'apps/v1', `  replicas: 2\n${template}`), pods: ['default/web-0', 'default/web-1'], ownerKind: 'ReplicaSet' },
    { title: 'a StatefulSet by its replicas, in its namespace', manifest: workload('StatefulSet', 'apps/v1', `  replicas: 2\n${template}`, 'db', 'shop'), pods: ['shop/db-0', 'shop/db-1'], ownerKind: 'StatefulSet' },
    { title: 'a Job by its parallelism', manifest: workload('Job', 'batch/v1', `  parallelism: 4\n${template}`, 'batch'), pods: ['default/batch-0', 'default/batch-1', 'default/batch-2', 'default/batch-3'], ownerKind: 'Job' },
    { title: 'a Job without parallelism as one, whatever its completions', manifest: workload('Job', 'batch/v1', `  completions: 50\n${template}`, 'batch'), pods: ['default/batch-0'] },
    { title: 'a Job with fewer completions than parallelism as its completions', manifest: workload('Job', 'batch/v1', `  parallelism: 5\n  completions: 2\n${template}`, 'batch'), pods: ['default/batch-0', 'default/batch-1'] },
    { title: 'a suspended-by-zero Job as none', manifest: workload('Job', 'batch/v1', `  parallelism: 0\n${template}`, 'batch'), pods: [] },
  ];
  it.each(cases)('$title', ({ manifest, pods, ownerKind }) => {
    const result = load(manifest);
    expect(result.pods.map((p) => `${p.namespace}/${p.name}`)).toEqual(pods);
    expect(result.daemonSets).toEqual([]);
    for (const pod of result.pods) {
      expect(pod.requests).toEqual({ cpuMillis: 250, memoryBytes: 256 * MiB });
      expect(pod.phase).toBe('Pending');
      if (ownerKind) expect(pod.ownerKind).toBe(ownerKind);
    }
    expect(new Set(result.pods.map((p) => p.uid)).size).toBe(pods.length);
    expect(result.workloads).toHaveLength(1);
    expect(result.workloads[0]!.pods).toBe(pods.length);
  });

  it('gives replicas the template labels plus what their controller adds', () => {
    const result = load(
      workload('StatefulSet', 'apps/v1', `  replicas: 2\n${template}`, 'db') + '---\n' + workload('Job', 'batch/v1', template, 'once'),
    );
    const [db0, db1, job] = result.pods;
    expect(db0!.labels).toEqual({ app: 'web', 'statefulset.kubernetes.io/pod-name': 'db-0', 'apps.kubernetes.io/pod-index': '0' });
    expect(db1!.labels['statefulset.kubernetes.io/pod-name']).toBe('db-1');
    expect(job!.labels).toMatchObject({ app: 'web', 'job-name': 'once', 'batch.kubernetes.io/job-name': 'once' });
  });

  it('returns DaemonSets separately, one template each, not as pods to place', () => {
    const result = load(workload('DaemonSet', 'apps/v1', `  template:\n    spec:\n      tolerations: [{ operator: Exists }]\n      containers: ${container('{ cpu: 50m, memory: 100Mi }')}`, 'logs', 'kube-system'));
    expect(result.pods).toEqual([]);
    expect(result.daemonSets).toHaveLength(1);
    expect(result.daemonSets[0]).toMatchObject({
      namespace: 'kube-system', name: 'logs', ownerKind: 'DaemonSet', requests: { cpuMillis: 50, memoryBytes: 100 * MiB }, tolerations: [{ operator: 'Exists' }],
    });
  });

  it('skips kinds that run no pods and lists them', () => {
    const result = load(
      [
        'apiVersion: v1\nkind: Service\nmetadata: { name: web }\nspec: { ports: [{ port: 80 }] }',
        'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: settings }\ndata: { a: b }',
        'apiVersion: batch/v1\nkind: CronJob\nmetadata: { name: nightly }\nspec: { schedule: "0 1 * * *" }',
        workload('Deployment', 'apps/v1', template),
      ].join('\n---\n'),
    );
    expect(result.skipped).toEqual([
      { source: 'pods.yaml', position: 'document 1', kind: 'Service', name: 'web' },
      { source: 'pods.yaml', position: 'document 2', kind: 'ConfigMap', name: 'settings' },
      { source: 'pods.yaml', position: 'document 3', kind: 'CronJob', name: 'nightly' },
    ]);
    expect(result.pods).toHaveLength(1);
  });
});

describe('requests as the scheduler counts them', () => {
  it('defaults requests to limits, adds sidecars, floors at the largest init container, adds overhead', () => {
    const spec = [
      '  overhead: { cpu: 100m, memory: 64Mi }',
      '  initContainers:',
      '    - { name: migrate, resources: { requests: { cpu: "3", memory: 1Gi } } }',
      '    - { name: proxy, restartPolicy: Always, resources: { requests: { cpu: 200m, memory: 128Mi } } }',
      '  containers:',
      '    - { name: app, resources: { limits: { cpu: 1, memory: 2Gi } } }',
      '    - { name: worker, resources: { requests: { cpu: 500m }, limits: { cpu: "2", memory: 1Gi } } }',
    ].join('\n');
    const [pod] = load(workload('Pod', 'v1', spec, 'mixed')).pods;
    // Running: app 1 CPU/2Gi (limits) + worker 0.5 CPU/1Gi (request, memory from limit) + proxy 0.2/128Mi = 1.7 CPU, 3Gi+128Mi.
    // Init floor: migrate 3 CPU/1Gi alone = 3 CPU. Max per resource, then overhead.
    expect(pod!.requests).toEqual({ cpuMillis: 3000 + 100, memoryBytes: 3 * GiB + 128 * MiB + 64 * MiB });
  });
});

describe('file layouts', () => {
  const deployment = workload('Deployment', 'apps/v1', `  replicas: 2\n${template}`);
  const job = workload('Job', 'batch/v1', template, 'batch');
  const expected = ['web-0', 'web-1', 'batch-0'];
  const indent = (text: string) => text.trimEnd().split('\n').map((line, i) => (i === 0 ? `- ${line}` : `  ${line}`)).join('\n');

  it.each([
    { layout: 'a YAML stream', text: `${deployment}---\n${job}` },
    { layout: 'a kind: List', text: `apiVersion: v1\nkind: List\nitems:\n${indent(deployment)}\n${indent(job)}\n` },
    { layout: 'a typed list as kubectl get prints it', text: `apiVersion: apps/v1\nkind: DeploymentList\nitems:\n${indent(deployment)}\n---\n${job}` },
    { layout: 'a stream with empty documents and comments', text: `# shop\n---\n${deployment}---\n# nothing here\n---\n${job}---\n` },
  ])('reads $layout', ({ text }) => {
    expect(load(text).pods.map((p) => p.name)).toEqual(expected);
  });

  it('reads several sources and keeps their order', () => {
    const result = loadWorkloads([{ name: 'a.yaml', text: job }, { name: 'b.yaml', text: deployment }]);
    expect(result.pods.map((p) => p.name)).toEqual(['batch-0', 'web-0', 'web-1']);
    expect(result.workloads.map((w) => `${w.source} ${w.kind}`)).toEqual(['a.yaml Job', 'b.yaml Deployment']);
  });
});

describe('refusing bad input', () => {
  it('lists every problem of the file, by path and value', () => {
    const text = [
      workload('Deployment', 'apps/v1', `  replicas: three\n${template}`),
      workload('StatefulSet', 'apps/v1', `  replicas: -1\n  template:\n    spec:\n      containers: ${container('{ cpu: lots }')}`, 'db'),
      workload('Job', 'batch/v1', '  parallelism: 1.5\n  template:\n    metadata: { labels: { version: 2 } }\n    spec: {}', 'batch'),
      workload('Pod', 'v1', '  containers: [{ name: a }]\n  tolerations: [{ operator: Maybe }]\n  topologySpreadConstraints: [{ topologyKey: zone, maxSkew: 0 }]', 'solo'),
      workload('Deployment', 'extensions/v1beta1', template, 'old'),
      'apiVersion: v1\nmetadata: { name: kindless }',
    ].join('---\n');
    expect(problemsOf(text)).toEqual([
      'pods.yaml: Deployment "web" spec.replicas: expected a non-negative integer; got "three"',
      'pods.yaml: StatefulSet "db" spec.replicas: expected a non-negative integer; got -1',
      'pods.yaml: StatefulSet "db" spec.template.spec.containers[0].resources.requests.cpu: expected a non-negative Kubernetes quantity such as 500m, 2 or 1Gi; got "lots"',
      'pods.yaml: Job "batch" spec.parallelism: expected a non-negative integer; got 1.5',
      'pods.yaml: Job "batch" spec.template.metadata.labels.version: expected a string (put the value in quotes); got 2',
      'pods.yaml: Job "batch" spec.template.spec.containers: required, expected a list of containers',
      'pods.yaml: Pod "solo" spec.tolerations[0].operator: expected Exists or Equal; got "Maybe"',
      'pods.yaml: Pod "solo" spec.topologySpreadConstraints[0].maxSkew: expected a positive integer; got 0',
      'pods.yaml: Deployment "old" apiVersion: expected apps/v1; got "extensions/v1beta1"',
      'pods.yaml: document 6 kind: required, expected a Kubernetes kind such as Pod or Deployment',
    ]);
  });

  it('puts the problems in the error message too, so the CLI shows them', () => {
    const text = workload('Deployment', 'apps/v1', `  replicas: three\n${template}`);
    expect(() => load(text)).toThrow(/pods\.yaml: Deployment "web" spec\.replicas: expected a non-negative integer; got "three"/);
  });

  it('refuses invalid YAML with its line', () => {
    const [problem] = problemsOf('kind: Pod\nmetadata: { name: x\n');
    expect(problem).toMatch(/^pods\.yaml: line \d+, column \d+: invalid YAML/);
  });

  it('refuses two workloads that would make pods of the same name', () => {
    const text = `${workload('Deployment', 'apps/v1', `  replicas: 2\n${template}`)}---\n${workload('Pod', 'v1', `  containers: ${container()}`, 'web-1')}`;
    expect(problemsOf(text)).toEqual(['pods.yaml: Pod "web-1": pod "default/web-1" is already defined by pods.yaml: Deployment "web"']);
  });

  it('accepts the same name in different namespaces', () => {
    const text = `${workload('Deployment', 'apps/v1', template, 'web', 'a')}---\n${workload('Deployment', 'apps/v1', template, 'web', 'b')}`;
    expect(load(text).pods.map((p) => `${p.namespace}/${p.name}`)).toEqual(['a/web-0', 'b/web-0']);
  });

  it('refuses a list whose items are not a list', () => {
    expect(problemsOf('apiVersion: v1\nkind: PodList\nitems: nope\n')).toEqual(['pods.yaml: document 1 (PodList): items must be a list']);
  });
});

describe('notes', () => {
  it('says which constraints were left out, about the manifest the user wrote', () => {
    const spec = `${template}\n      topologySpreadConstraints: [{ topologyKey: topology.kubernetes.io/zone, maxSkew: 1, minDomains: 3, labelSelector: { matchLabels: { app: web } } }]`;
    const result = load(workload('Deployment', 'apps/v1', `  replicas: 1\n${spec}`));
    expect(result.notes).toEqual(['pods.yaml: Deployment "web" spec.template.spec.topologySpreadConstraints[0].minDomains ignored']);
  });
});
