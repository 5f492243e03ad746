import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { expect } from 'chai';

import {
  renderSuiteSettingsDoc,
  SUITE_SETTINGS,
  suiteSettingsFrom,
} from '../../src/runner/suite-settings.js';
import { isPinnedByDigest, mirroredImage } from '../../src/versions/images.js';

/** Every .ts file below a folder. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(join(dir, e.name))
      : e.name.endsWith('.ts')
        ? [join(dir, e.name)]
        : [],
  );
}

describe('suite settings', function () {
  it('gives the defaults when nothing is set, seconds as milliseconds', function () {
    const settings = suiteSettingsFrom({});
    expect(settings.gangScheduler).to.equal('auto');
    expect(settings.gangWindowMs).to.equal(20_000);
    expect(settings.gatewayRequests).to.equal(500);
    expect(settings.gatewayListenerPort).to.equal(80);
    expect(settings.prometheus).to.equal(undefined);
  });

  it('parses what is set, and a bad value throws when read, naming the variable', function () {
    const settings = suiteSettingsFrom({
      KAIC_GANG_SCHEDULER: 'Kueue',
      KAIC_HPA_TIMEOUT_SECONDS: '12',
      KAIC_GATEWAY_REQUESTS: '499',
      KAIC_ACCELERATOR: 'tpu',
    });
    expect(settings.gangScheduler).to.equal('kueue');
    expect(settings.hpaTimeoutMs).to.equal(12_000);
    expect(() => settings.gatewayRequests).to.throw(
      /^KAIC_GATEWAY_REQUESTS="499"; give a whole number from 500/,
    );
    expect(() => settings.accelerator).to.throw(/^KAIC_ACCELERATOR="tpu"; accepted: auto, nvidia/);
    // One bad setting leaves the others readable.
    expect(settings.gatewayListenerPort).to.equal(80);
  });

  it('reads the environment as it is when read (the runner sets it per run)', function () {
    const env: NodeJS.ProcessEnv = {};
    const settings = suiteSettingsFrom(env);
    expect(settings.gatewayClass).to.equal(undefined);
    env.KAIC_GATEWAY_CLASS = 'traefik';
    expect(settings.gatewayClass).to.equal('traefik');
  });

  it('is the only way suites read the environment', function () {
    const offenders = sources('suites').filter(
      (f) =>
        f !== join('suites', 'lib', 'settings.ts') && /process\.env/.test(readFileSync(f, 'utf8')),
    );
    expect(offenders).to.deep.equal([]);
  });

  it('lists every KAIC_ variable the suites name and the addons set', function () {
    const known = new Set(Object.values(SUITE_SETTINGS).map((s) => s.env));
    const named = new Set<string>();
    for (const file of [
      ...sources('suites'),
      ...sources('src/providers'),
      ...sources('src/addons'),
    ]) {
      for (const m of readFileSync(file, 'utf8').matchAll(/\bKAIC_[A-Z_]+[A-Z]\b/g))
        named.add(m[0]);
    }
    // Not suite settings: the run's own (kwok, cache, fake GPU, the operator's source, tests), a
    // constant, a heredoc marker.
    const notSuiteSettings = [...named].filter((n) => !known.has(n));
    expect(
      notSuiteSettings.filter(
        (n) =>
          !/^KAIC_(KWOK_|KUBERNETES_BIN_DIR|CACHE|FAKEGPU_|FAKE_GPU_OPERATOR_SOURCE$|TEST_|VERSION$|EOF$)/.test(
            n,
          ),
      ),
    ).to.deep.equal([]);
    const setByAddons = [...sources('src/providers'), ...sources('src/addons')].flatMap((f) =>
      [...readFileSync(f, 'utf8').matchAll(/\b(KAIC_[A-Z_]+):\s/g)].map((m) => m[1]!),
    );
    for (const env of setByAddons) {
      const spec = Object.values(SUITE_SETTINGS).find((s) => s.env === env);
      expect(spec && 'setByKaic' in spec && spec.setByKaic, `${env} is set by an addon`).to.equal(
        true,
      );
    }
  });

  it('reads the load annotations as key=value pairs, refusing an entry that is not one', function () {
    expect(suiteSettingsFrom({}).acceleratorLoadAnnotations).to.deep.equal({});
    expect(
      suiteSettingsFrom({
        KAIC_ACCELERATOR_LOAD_ANNOTATIONS:
          'run.ai/simulated-gpu-utilization=80-90, busy=yes,empty=',
      }).acceleratorLoadAnnotations,
    ).to.deep.equal({ 'run.ai/simulated-gpu-utilization': '80-90', busy: 'yes', empty: '' });
    for (const raw of ['busy', '=90', 'a b=1', '-x=1']) {
      expect(
        () =>
          suiteSettingsFrom({ KAIC_ACCELERATOR_LOAD_ANNOTATIONS: raw }).acceleratorLoadAnnotations,
        raw,
      ).to.throw(/^KAIC_ACCELERATOR_LOAD_ANNOTATIONS=".*"; ".*" is not key=value/);
    }
  });

  it('runs the workload image pinned by digest unless one is set', function () {
    expect(isPinnedByDigest(suiteSettingsFrom({}).workloadImage)).to.equal(true);
    expect(suiteSettingsFrom({ KAIC_WORKLOAD_IMAGE: 'my/shell:1' }).workloadImage).to.equal(
      'my/shell:1',
    );
  });

  it('pulls every suite image from the mirror, keeping its path and tag or digest', function () {
    const digest = `sha256:${'a'.repeat(64)}`;
    const cases: Array<[string, string]> = [
      ['busybox:1.36', 'mirror.example:5000/hub/library/busybox:1.36'],
      [`busybox:1.36@${digest}`, `mirror.example:5000/hub/library/busybox:1.36@${digest}`],
      ['docker.io/library/ubuntu:22.04', 'mirror.example:5000/hub/library/ubuntu:22.04'],
      ['bitnami/kubectl:1.33', 'mirror.example:5000/hub/bitnami/kubectl:1.33'],
      [`ghcr.io/org/app@${digest}`, `mirror.example:5000/hub/org/app@${digest}`],
      ['localhost:5000/x:1', 'mirror.example:5000/hub/x:1'],
    ];
    for (const [image, want] of cases) {
      expect(mirroredImage(image, 'mirror.example:5000/hub/'), image).to.equal(want);
    }
    expect(mirroredImage('busybox:1.36', undefined)).to.equal('busybox:1.36');
    expect(suiteSettingsFrom({ KAIC_IMAGE_MIRROR: 'mirror.example/hub' }).imageMirror).to.equal(
      'mirror.example/hub',
    );
    expect(
      () => suiteSettingsFrom({ KAIC_IMAGE_MIRROR: 'https://mirror.example' }).imageMirror,
    ).to.throw(
      /^KAIC_IMAGE_MIRROR="https:\/\/mirror.example"; give a registry as host\[:port\]\[\/path\], no scheme$/,
    );
  });

  it('docs/suite-settings.md is generated from the table (npm run suite-settings-doc)', function () {
    expect(readFileSync('docs/suite-settings.md', 'utf8')).to.equal(renderSuiteSettingsDoc());
  });
});
