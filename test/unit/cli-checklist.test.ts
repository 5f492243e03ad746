/** The requirements and checklist commands as a user runs them: output, exit codes, no stray files. */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { expect } from 'chai';

import { requirementsFor } from '../../src/requirements/catalog.js';
import { fillChecklist, parseChecklist } from '../../src/requirements/checklist.js';
import { buildRunResult } from '../../src/results/build.js';
import { parseJustifications } from '../../src/results/justifications.js';
import { runKaicInProcess } from '../support/kaic-cli.js';
import { officialChecklistPaths } from '../support/shared.js';

const kaic = (...args: string[]) => runKaicInProcess(args);

const official135 = officialChecklistPaths().find((o) => o.version === '1.35')?.path as string;
const official134 = officialChecklistPaths().find((o) => o.version === '1.34')?.path as string;

describe('kaic requirements / checklist commands', function () {
  this.timeout(30_000);
  let dir = '';
  let resultsPath = '';

  before(async function () {
    dir = await mkdtemp(join(tmpdir(), 'kaic-cli-'));
    const requirements = requirementsFor('1.35');
    const result = buildRunResult({
      kaicVersion: 'test',
      conformanceVersion: '1.35',
      requirementSource: 'catalog',
      cluster: { provider: 'kwok', name: null, serverVersion: 'v1.35.4' },
      acceleratorProfile: null,
      startedAt: new Date(0),
      finishedAt: new Date(1000),
      requirements,
      tests: requirements
        .filter((r) => r.level === 'MUST')
        .map((r) => ({
          requirementId: r.id,
          level: r.level,
          title: 'works',
          fullTitle: `[AIConformance] [${r.id}] [MUST] works`,
          file: null,
          status: 'passed' as const,
          durationMs: 1,
          failure: null,
          skipReason: null,
          evidence: [],
        })),
      justifications: new Map([['gpu_sharing', 'no sharing offered']]),
    });
    resultsPath = join(dir, 'results.json');
    await writeFile(resultsPath, JSON.stringify(result));
    await writeFile(
      join(dir, 'meta.yaml'),
      [
        'metadata:',
        '  platformName: Example',
        '  platformVersion: "2.1"',
        '  vendorName: Example Inc.',
        '  websiteUrl: https://example.test',
        '  repoUrl: https://example.test/repo',
        '  documentationUrl: https://example.test/docs',
        '  productLogoUrl: https://example.test/logo.svg',
        '  description: An example platform',
        '  contactEmailAddress: ai@example.test',
        '  k8sConformanceUrl: https://github.com/cncf/k8s-conformance/tree/master/v1.35/example',
        '',
      ].join('\n'),
    );
  });
  after(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  it('lists a version as JSON, and refuses an unknown version with exit code 2', async function () {
    const ok = await kaic('requirements', '--version', '1.35', '--format', 'json');
    expect(ok.exitCode).to.equal(0);
    expect(JSON.parse(ok.stdout)).to.deep.equal({
      version: '1.35',
      requirements: requirementsFor('1.35'),
    });
    const bad = await kaic('requirements', '--version', '1.99');
    expect(bad.exitCode).to.equal(2);
    expect(bad.stderr).to.include(
      '--version "1.99" is not one kaic knows; known: 1.33, 1.34, 1.35, 1.36',
    );
  });

  it('reads a newer checklist from a file without knowing its version', async function () {
    const newer = join(dir, 'AIConformance-1.37.yaml');
    const text = (await readFile(official135, 'utf8'))
      .replace('kubernetesVersion: v1.35', 'kubernetesVersion: v1.37')
      .replace(
        '    - id: gpu_sharing',
        '    - id: future_requirement\n      description: "new"\n      level: SHOULD\n      status: ""\n      evidence: []\n      notes: ""\n    - id: gpu_sharing',
      );
    await writeFile(newer, text);
    const out = await kaic('requirements', '--checklist', newer);
    expect(out.exitCode, out.all).to.equal(0);
    expect(out.stdout).to.include('AI conformance v1.37: 13 requirements');
    expect(out.stdout).to.match(/future_requirement\s+SHOULD\s+accelerators/);
  });

  it('fills a checklist that then validates against the official one', async function () {
    const out = join(dir, 'PRODUCT.yaml');
    const fill = await kaic(
      'checklist',
      'fill',
      '--results',
      resultsPath,
      '--checklist',
      official135,
      '--metadata',
      join(dir, 'meta.yaml'),
      '--out',
      out,
    );
    expect(fill.exitCode, fill.all).to.equal(0);
    expect(fill.stdout).to.include(
      'left for you to settle (Unknown): driver_runtime_management, virtualized_accelerator',
    );
    const filled = parseChecklist(await readFile(out, 'utf8'), out);
    expect(filled.metadata.vendorName).to.equal('Example Inc.');
    const validate = await kaic('checklist', 'validate', out, '--checklist', official135);
    expect(validate.exitCode, validate.all).to.equal(0);
    expect(validate.stdout).to.include('valid (12 requirements, v1.35)');
  });

  it('reports each problem of a checklist on its own line with exit code 1', async function () {
    const official = parseChecklist(await readFile(official135, 'utf8'), official135);
    const broken = fillChecklist(
      official,
      new Map([['dra_support', { status: 'Implemented', evidence: [], notes: '' }]]),
    ).replace('level: MUST', 'level: SHOULD');
    const path = join(dir, 'broken.yaml');
    await writeFile(path, broken);
    const result = await kaic('checklist', 'validate', path, '--checklist', official135);
    expect(result.exitCode).to.equal(1);
    const lines = result.stdout.trim().split('\n');
    // All of them, one a line: the template's metadata placeholders, the level change, and the
    // 8 MUSTs without a status.
    expect(lines.filter((l) => l.startsWith(`${path}: metadata.`))).to.have.length(10);
    expect(lines).to.include(`${path}:20: dra_support: level changed from MUST to SHOULD`);
    expect(lines.filter((l) => l.endsWith(': MUST requirement has no status'))).to.have.length(8);
    expect(lines).to.have.length(10 + 1 + 8);
    expect(result.stderr).to.include(`19 problems in ${path}`);
  });

  it('refuses results from another version, malformed input, and writes nothing', async function () {
    const out = join(dir, 'never.yaml');
    const other = await kaic(
      'checklist',
      'fill',
      '--results',
      resultsPath,
      '--checklist',
      official134,
      '--out',
      out,
    );
    expect(other.exitCode).to.equal(2);
    expect(other.stderr).to.include('is a v1.35 run but');
    expect(other.stderr).to.include('is the v1.34 checklist');
    const badJson = join(dir, 'bad.json');
    await writeFile(badJson, '{"schemaVersion": 1, ');
    const malformed = await kaic(
      'checklist',
      'fill',
      '--results',
      badJson,
      '--checklist',
      official135,
      '--out',
      out,
    );
    expect(malformed.exitCode).to.equal(2);
    expect(malformed.stderr).to.include(`${badJson} is not valid JSON`);
    const badYaml = join(dir, 'bad.yaml');
    await writeFile(badYaml, 'metadata: [\n');
    const yaml = await kaic('checklist', 'validate', badYaml);
    expect(yaml.exitCode).to.equal(2);
    expect(yaml.stderr).to.match(/bad\.yaml:\d+: not valid YAML/);
    const missing = await kaic('checklist', 'fill', '--results', resultsPath);
    expect(missing.exitCode).to.equal(2);
    expect(missing.stderr).to.include('checklist fill needs --checklist');
    expect(existsSync(out)).to.equal(false);
  });
});

describe('N/A justifications file', function () {
  const ids = ['dra_support', 'gpu_sharing'];
  it('maps ids to reasons', function () {
    expect([
      ...parseJustifications('gpu_sharing: no MIG-capable hardware\n', 'na.yaml', ids),
    ]).to.deep.equal([['gpu_sharing', 'no MIG-capable hardware']]);
  });
  it('refuses an N/A without a justification, an unknown id, and malformed YAML', function () {
    expect(() => parseJustifications('gpu_sharing: ""\n', 'na.yaml', ids)).to.throw(
      'na.yaml: requirement gpu_sharing is N/A without a justification',
    );
    expect(() => parseJustifications('gpu_shareing: x\n', 'na.yaml', ids)).to.throw(
      'na.yaml: unknown requirement id "gpu_shareing"; known: dra_support, gpu_sharing',
    );
    expect(() => parseJustifications('a: [\n', 'na.yaml', ids)).to.throw(
      /^na\.yaml: not valid YAML or JSON/,
    );
  });
});
