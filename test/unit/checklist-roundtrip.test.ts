/**
 * The checklist round trip on files written the way vendors write them (fixtures made here from
 * the official template, not copied from submissions): fill never corrupts, validate lists every
 * problem the CNCF repository's PR check would (and no false ones), and every bad input ends in
 * one line with exit 2 and nothing written.
 */
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';

import { expect } from 'chai';
import { parse } from 'yaml';

import { requirementsFor } from '../../src/requirements/catalog.js';
import { validateChecklist } from '../../src/requirements/checklist-validate.js';
import {
  CHECKLIST_MAX_BYTES,
  ChecklistError,
  fillChecklist,
  loadChecklist,
  parseChecklist,
  type ItemFill,
} from '../../src/requirements/checklist.js';
import { buildRunResult } from '../../src/results/build.js';
import { runCommandLine } from '../../src/cli/errors.js';
import { runKaicInProcess } from '../support/kaic-cli.js';
import { officialChecklistPaths } from '../support/shared.js';

const official135 = officialChecklistPaths().find((o) => o.version === '1.35')!.path;
const template = readFileSync(official135, 'utf8');

const METADATA = {
  platformName: 'Example AI Platform',
  platformVersion: '2.1',
  vendorName: 'Example Inc.',
  websiteUrl: 'https://example.test',
  repoUrl: 'https://example.test/repo',
  documentationUrl: 'https://example.test/docs',
  productLogoUrl: 'https://example.test/logo.svg',
  description: 'An example platform',
  contactEmailAddress: 'ai@example.test',
  k8sConformanceUrl: 'https://github.com/cncf/k8s-conformance/tree/master/v1.35/example',
};

/** The template's metadata filled in (quoted as vendors do). */
function withMetadata(text: string): string {
  let out = text;
  for (const [key, value] of Object.entries(METADATA)) {
    out = out.replace(new RegExp(`^(  ${key}: ).*$`, 'm'), `$1"${value}"`);
  }
  return out;
}

/** A vendor's PRODUCT.yaml: every YAML style real submissions use. */
function vendorFile(): string {
  let text = withMetadata(template);
  const item = (id: string, replace: (block: string) => string) => {
    const start = text.indexOf(`- id: ${id}\n`);
    const end = text.indexOf('\n    - id:', start + 1);
    const block = text.slice(start, end < 0 ? undefined : end);
    text = text.slice(0, start) + replace(block) + text.slice(start + block.length);
  };
  // Block sequence evidence, literal block notes, a comment after a value.
  item('dra_support', (b) =>
    b
      .replace(/status: .*/, 'status: Implemented # since 2.0')
      .replace(
        /evidence: .*/,
        'evidence:\n        - https://example.test/dra\n        - https://example.test/dra-2 # the guide',
      )
      .replace(
        /notes: .*/,
        'notes: |\n        DRA is on by default.\n        Checked with the fake driver.',
      ),
  );
  // Flow evidence, a folded block note, the description as a folded block with the same words.
  item('gang_scheduling', (b) => {
    const description = /description: "(.*)"/.exec(b)![1]!;
    const words = description.split(' ');
    const half = Math.ceil(words.length / 2);
    return b
      .replace(
        /description: .*/,
        `description: >\n        ${words.slice(0, half).join(' ')}\n        ${words.slice(half).join(' ')}`,
      )
      .replace(/status: .*/, "status: 'Implemented'")
      .replace(/evidence: .*/, 'evidence: ["https://example.test/kueue"]')
      .replace(/notes: .*/, 'notes: >-\n        Kueue with\n        TAS.');
  });
  // No notes key at all (the CNCF check accepts that on an Implemented item).
  item('pod_autoscaling', (b) =>
    b.replace(/status: .*/, 'status: Implemented').replace(/\n\s*notes: .*/, ''),
  );
  // An empty evidence key.
  item('cluster_autoscaling', (b) => b.replace(/evidence: .*/, 'evidence:'));
  return text;
}

const fillOf = (status: ItemFill['status'], id: string): ItemFill => ({
  status,
  evidence: status ? [`https://results.example/run/${id}`] : [],
  notes: status === 'N/A' ? `no ${id} here` : `measured: "${id}" # not a comment`,
});

/** Fills every requirement (a mix of statuses) and checks the result reads back as intended. */
function fillAll(text: string, source: string) {
  const checklist = parseChecklist(text, source);
  const statuses: ItemFill['status'][] = ['Implemented', 'Partially Implemented', '', 'N/A'];
  const fills = new Map(checklist.items.map((i, n) => [i.id, fillOf(statuses[n % 4]!, i.id)]));
  const out = fillChecklist(checklist, fills, { platformName: 'Renamed: "v2"' });
  const before = parse(text) as { spec: Record<string, Array<Record<string, unknown>>> };
  const after = parse(out) as typeof before & { metadata: Record<string, unknown> };
  expect(after.metadata.platformName).to.equal('Renamed: "v2"');
  for (const [category, list] of Object.entries(before.spec)) {
    list.forEach((want, n) => {
      const got = after.spec[category]![n]!;
      const fill = fills.get(want.id as string)!;
      expect(got).to.deep.equal({ ...want, ...fill }, `${want.id}`);
    });
  }
  return { checklist, out };
}

describe('checklist round trip on real-world files', function () {
  this.timeout(20_000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'kaic-roundtrip-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describe('1. fill handles every YAML value style and never writes a corrupt file', function () {
    it('block and flow sequences, block scalars, comments after values, a missing key', function () {
      const text = vendorFile();
      const { out } = fillAll(text, 'PRODUCT.yaml');
      // A comment after a replaced scalar survives (one inside a replaced list goes with it);
      // descriptions are untouched bytes.
      expect(out).to.include('description: >\n');
      expect(out).to.match(/status: "Implemented" # since 2\.0/);
    });

    it('CRLF line ends and a byte-order mark are kept', function () {
      const text = `\uFEFF${vendorFile().replace(/\n/g, '\r\n')}`;
      const { out } = fillAll(text, 'PRODUCT.yaml');
      expect(out.startsWith('\uFEFF')).to.equal(true);
      expect(out).not.to.match(/[^\r]\n/);
    });

    it('a construct it cannot edit safely (an anchor used elsewhere) is an error, never a file', function () {
      const text = vendorFile()
        .replace(/(- id: gpu_sharing[\s\S]*?status: )""/, '$1&shared ""')
        .replace(/(- id: virtualized_accelerator[\s\S]*?notes: )""/, '$1*shared');
      const checklist = parseChecklist(text, 'anchored.yaml');
      const fills = new Map([['gpu_sharing', fillOf('Implemented', 'gpu_sharing')]]);
      expect(() => fillChecklist(checklist, fills)).to.throw(ChecklistError, /nothing was written/);
    });
  });

  describe('2. network failures end in one line naming the URL', function () {
    let server: Server;
    let base: string;
    before(async function () {
      server = createServer((req, res) => {
        if (req.url === '/stall') {
          res.writeHead(200, { 'content-type': 'text/yaml' });
          res.write('metadata:\n'); // then nothing, ever
        } else if (req.url === '/reset') {
          res.writeHead(200, { 'content-length': '5000' });
          res.write('metadata:\n');
          setTimeout(() => req.socket.destroy(), 20);
        } else if (req.url === '/big') {
          res.writeHead(200, { 'content-length': String(CHECKLIST_MAX_BYTES + 1) });
          res.end();
        } else res.writeHead(404).end();
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    });
    after(() => {
      server.closeAllConnections();
      server.close();
    });

    it('a server that stalls after the headers: a timeout, not a crash', async function () {
      const error = await loadChecklist(`${base}/stall`, { timeoutMs: 300 }).catch((e: Error) => e);
      expect(error).to.be.instanceOf(ChecklistError);
      expect((error as Error).message).to.equal(
        `could not fetch checklist ${base}/stall: no complete answer within 0.3s`,
      );
    });

    it('a reset mid-body, an unknown host, TLS to a plain server, a body too big', async function () {
      const cases: Array<[string, RegExp]> = [
        [`${base}/reset`, /^could not fetch checklist http:\/\/127\.0\.0\.1:\d+\/reset: /],
        [
          'http://kaic-no-such-host.invalid/x.yaml',
          /^could not fetch checklist http:\/\/kaic-no-such-host\.invalid\/x\.yaml: /,
        ],
        [
          `${base.replace('http:', 'https:')}/x`,
          /^could not fetch checklist https:\/\/127\.0\.0\.1:\d+\/x: /,
        ],
        [`${base}/big`, /is \d+ bytes; a checklist is at most 5242880/],
      ];
      for (const [url, message] of cases) {
        const error = await loadChecklist(url, { timeoutMs: 5000 }).catch((e: Error) => e);
        expect(error, url).to.be.instanceOf(ChecklistError);
        expect((error as Error).message, url).to.match(message);
        expect((error as Error).message).not.to.include('\n');
      }
    });

    it('an error whose code is not a string (a DOMException) exits with a line, not a stack', async function () {
      const saved = { exit: process.exitCode, write: process.stderr.write };
      let written = '';
      process.stderr.write = ((chunk: string) => (
        (written += chunk),
        true
      )) as typeof process.stderr.write;
      try {
        await runCommandLine(async () => {
          throw Object.assign(new Error('The operation was aborted due to timeout'), { code: 23 });
        });
        expect(process.exitCode).to.equal(1);
      } finally {
        process.stderr.write = saved.write;
        process.exitCode = saved.exit;
      }
      expect(written).to.equal('kaic: The operation was aborted due to timeout\n');
    });
  });

  const kaic = async (...args: string[]) => {
    const r = await runKaicInProcess(args);
    return { code: r.exitCode, out: r.stdout, err: r.stderr };
  };

  function resultsFile(verdicts: 'all' | 'mixed', version: '1.35' | '1.36' = '1.35'): string {
    const requirements = requirementsFor(version);
    const result = buildRunResult({
      kaicVersion: 'test',
      conformanceVersion: version,
      requirementSource: 'catalog',
      cluster: { provider: 'kwok', name: null, serverVersion: `v${version}.2` },
      acceleratorProfile: null,
      startedAt: new Date(0),
      finishedAt: new Date(1000),
      requirements,
      tests: requirements.map((r, n) => ({
        requirementId: r.id,
        level: r.level,
        title: 'works',
        fullTitle: `[AIConformance] [${r.id}] [${r.level}] works`,
        file: null,
        status:
          verdicts === 'all' || r.level === 'MUST'
            ? ('passed' as const)
            : n % 2
              ? ('failed' as const)
              : ('skipped' as const),
        durationMs: 1,
        failure:
          verdicts === 'mixed' && r.level !== 'MUST' && n % 2
            ? { message: 'no', stack: null, location: null }
            : null,
        skipReason: verdicts === 'mixed' && r.level !== 'MUST' && !(n % 2) ? 'not here' : null,
        evidence: [],
      })),
      justifications: new Map(),
    });
    const path = join(dir, `results-${verdicts}.json`);
    writeFileSync(path, JSON.stringify(result));
    return path;
  }

  describe('3. --out is a regular file or a new one; anything else is refused, nothing left behind', function () {
    it('refuses a symlink, a directory, a FIFO and a missing directory with exit 2', async function () {
      const results = resultsFile('all');
      const target = join(dir, 'target.yaml');
      writeFileSync(target, 'keep me');
      symlinkSync(target, join(dir, 'link.yaml'));
      mkdirSync(join(dir, 'adir'));
      execFileSync('mkfifo', [join(dir, 'fifo')]);
      const before = readdirSync(dir).sort();
      for (const [out, why] of [
        [join(dir, 'link.yaml'), 'is a symbolic link'],
        [join(dir, 'adir'), 'is a directory'],
        [join(dir, 'fifo'), 'is a FIFO'],
        [join(dir, 'no/such/dir/P.yaml'), 'does not exist'],
      ] as const) {
        const run = await kaic(
          'checklist',
          'fill',
          '--results',
          results,
          '--checklist',
          official135,
          '--out',
          out,
        );
        expect(run.code, out).to.equal(2);
        expect(run.err).to.include(why);
      }
      expect(readdirSync(dir).sort(), 'nothing added or replaced').to.deep.equal(before);
      expect(lstatSync(join(dir, 'link.yaml')).isSymbolicLink()).to.equal(true);
      expect(readFileSync(target, 'utf8')).to.equal('keep me');
    });
  });

  describe('4. a malformed results.json is refused naming the file and the field', function () {
    it('wrong types are refused, never written as undefined/null/42', async function () {
      const results = resultsFile('all');
      const data = JSON.parse(readFileSync(results, 'utf8'));
      data.requirements[1].reason = 42;
      data.requirements[2].justification = undefined;
      writeFileSync(results, JSON.stringify(data));
      const out = join(dir, 'P.yaml');
      const run = await kaic(
        'checklist',
        'fill',
        '--results',
        results,
        '--checklist',
        official135,
        '--out',
        out,
      );
      expect(run.code).to.equal(2);
      expect(run.err).to.include(`${results} does not match kaic's results schema`);
      expect(run.err).to.include('/requirements/1/reason must be string');
      expect(run.err).to.include("/requirements/2 must have required property 'justification'");
      expect(existsSync(out)).to.equal(false);
    });
  });

  describe('5–8. validate tells the truth', function () {
    const write = (name: string, text: string) => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    };

    it('5. without --checklist, against the catalog of the file’s version', async function () {
      const filled = withMetadata(template)
        .replace(/- id: gpu_sharing[\s\S]*?(?=\n {4}- id:)/, '')
        .replace(/(- id: ai_inference[\s\S]*?level: )MUST/, '$1SHOULD');
      const run = await kaic('checklist', 'validate', write('P.yaml', filled));
      expect(run.code).to.equal(1);
      expect(run.out).to.include(
        "gpu_sharing: missing (it is in kaic's catalog of v1.35, category accelerators)",
      );
      expect(run.out).to.match(/ai_inference: level changed from MUST to SHOULD/);
      const unknown = await kaic(
        'checklist',
        'validate',
        write('Q.yaml', withMetadata(template).replace('v1.35', 'v1.99')),
      );
      expect(unknown.code).to.equal(1);
      expect(unknown.out).to.include('v1.99 is not a conformance version kaic knows');
    });

    it('6. every content problem listed, one a line, exit 1 (exit 2 only for unreadable input)', async function () {
      const broken = withMetadata(template)
        .replace(/(- id: dra_support[\s\S]*?level: )MUST/, '$1MAY')
        .replace(/(- id: gang_scheduling[\s\S]*?evidence: )\[\]/, '$1"https://x.example"')
        .replace(/(- id: pod_autoscaling[\s\S]*?notes: )""/, '$1[a, b]');
      const run = await kaic(
        'checklist',
        'validate',
        write('P.yaml', broken),
        '--checklist',
        official135,
      );
      expect(run.code).to.equal(1);
      expect(run.out).to.match(/:22: dra_support: level "MAY" is not MUST or SHOULD/);
      expect(run.out).to.match(/gang_scheduling: evidence is not a list/);
      expect(run.out).to.match(/pod_autoscaling: notes is a list, not a string/);
      expect(run.err).to.match(/\d+ problems in/);
      const unreadable = await kaic('checklist', 'validate', write('R.yaml', 'spec: [\n'));
      expect(unreadable.code).to.equal(2);
    });

    it('7. no false findings: a patch version, an omitted notes key, a folded description with the same words', async function () {
      const results = resultsFile('all');
      const out = join(dir, 'v1.35', 'example', 'PRODUCT.yaml');
      mkdirSync(join(dir, 'v1.35', 'example'), { recursive: true });
      // Re-filling the vendor's own file: it is both the checklist and the output.
      writeFileSync(
        out,
        vendorFile().replace('kubernetesVersion: v1.35', 'kubernetesVersion: v1.35.3'),
      );
      const meta = write(
        'meta.yaml',
        `metadata:\n${Object.entries(METADATA)
          .map(([k, v]) => `  ${k}: "${v}"`)
          .join('\n')}\n`,
      );
      const fill = await kaic(
        'checklist',
        'fill',
        '--results',
        results,
        '--checklist',
        out,
        '--metadata',
        meta,
        '--out',
        out,
      );
      expect(fill.code, fill.err).to.equal(0);
      const run = await kaic('checklist', 'validate', out, '--checklist', official135);
      expect(run.err).to.equal('');
      expect(run.out).to.include('valid (12 requirements, v1.35)');
      expect(run.code).to.equal(0);
      // The omitted notes key was added to its item; the folded description is left as it was.
      const filled = readFileSync(out, 'utf8');
      expect(filled).to.match(/- id: pod_autoscaling[\s\S]*?notes: "Measured by kaic/);
      expect(filled).to.include('description: >\n');
    });

    it('8. the CNCF PR check’s rules: MUST Implemented, an empty SHOULD without evidence, metadata, evidence URLs or files', async function () {
      const text = template
        .replace('k8sConformanceUrl: "[URL', 'k8sConformanceUrlX: "[URL')
        .replace(/(- id: dra_support[\s\S]*?status: )""/, '$1"Partially Implemented"')
        .replace(/(- id: gpu_sharing[\s\S]*?evidence: )\[\]/, '$1["https://example.test/gpu"]')
        .replace(/(- id: gang_scheduling[\s\S]*?status: )""/, '$1"Implemented"')
        .replace(
          /(- id: gang_scheduling[\s\S]*?evidence: )\[\]/,
          '$1["docs/missing.md", "not a url at all"]',
        );
      const problems = validateChecklist(parseChecklist(text, 'P.yaml'), {
        productPath: join(dir, 'P.yaml'),
      }).map((p) => `${p.id ?? '-'}: ${p.message}`);
      expect(problems).to.include(
        "-: metadata.platformName is still the template's placeholder [Platform Name]",
      );
      expect(problems).to.include('-: metadata.k8sConformanceUrl is missing');
      expect(problems).to.include(
        'dra_support: MUST requirement is "Partially Implemented"; the CNCF check accepts only Implemented',
      );
      expect(problems).to.include(
        'gpu_sharing: status is empty but evidence is given (leave both empty, or give a status)',
      );
      expect(problems.filter((p) => p.startsWith('gang_scheduling: evidence'))).to.have.length(2);
      // An empty SHOULD without evidence is fine, as the CNCF check skips it.
      expect(problems.some((p) => p.startsWith('virtualized_accelerator'))).to.equal(false);
    });
  });

  describe('9. a file kaic fills passes the CNCF rules', function () {
    for (const version of ['1.35', '1.36'] as const) {
      it(`all-Implemented and mixed ${version} runs: fill, then validate, with evidence files beside it`, async function () {
        const official = officialChecklistPaths().find((o) => o.version === version)!.path;
        const meta = join(dir, 'meta.yaml');
        writeFileSync(
          meta,
          `metadata:\n${Object.entries(METADATA)
            .map(([k, v]) => `  ${k}: "${v.replace('v1.35', `v${version}`)}"`)
            .join('\n')}\n`,
        );
        for (const verdicts of ['all', 'mixed'] as const) {
          const out = join(dir, `v${version}`, verdicts, 'PRODUCT.yaml');
          mkdirSync(join(dir, `v${version}`, verdicts), { recursive: true });
          const results = resultsFile(verdicts, version);
          const fill = await kaic(
            'checklist',
            'fill',
            '--results',
            results,
            '--checklist',
            official,
            '--metadata',
            meta,
            '--results-url',
            'https://ci.example/run/1/results.json',
            '--out',
            out,
          );
          expect(fill.code, fill.err).to.equal(0);
          const run = await kaic('checklist', 'validate', out, '--checklist', official);
          // Mixed: only SHOULDs failed or were skipped; Partially/Not Implemented SHOULDs are valid statuses.
          expect(run.out + run.err, `${verdicts} ${version}`).to.include('valid (');
          const filled = parseChecklist(readFileSync(out, 'utf8'), out);
          for (const item of filled.items) {
            for (const e of item.evidence) {
              expect(
                e.startsWith('https://') || existsSync(join(dir, `v${version}`, verdicts, e)),
                e,
              ).to.equal(true);
            }
          }
        }
      });
    }
  });

  describe('10. the smaller refusals', function () {
    it('non-UTF-8, an unquoted version, vv1.35, non-string evidence and notes, too big', async function () {
      const latin1 = join(dir, 'latin1.yaml');
      writeFileSync(
        latin1,
        Buffer.concat([Buffer.from(template.slice(0, 200)), Buffer.from([0xe9, 0x0a])]),
      );
      const nonUtf8 = await kaic('checklist', 'validate', latin1);
      expect(nonUtf8.code).to.equal(2);
      expect(nonUtf8.err).to.include('is not UTF-8 text');
      const number = parseChecklist(
        template.replace('kubernetesVersion: v1.35', 'kubernetesVersion: 1.40'),
        'n.yaml',
      );
      expect(number.version).to.equal(null);
      expect(number.problems.map((p) => p.message)).to.include(
        'metadata.kubernetesVersion is the number 1.4, not a string (quote it)',
      );
      const vv = parseChecklist(
        template.replace('kubernetesVersion: v1.35', 'kubernetesVersion: vv1.35'),
        'vv.yaml',
      );
      expect(vv.problems.map((p) => p.message)).to.include(
        'metadata.kubernetesVersion "vv1.35" is not like v1.35',
      );
      const typed = parseChecklist(
        template
          .replace(/(- id: dra_support[\s\S]*?evidence: )\[\]/, '$1[42, true]')
          .replace(/(- id: dra_support[\s\S]*?notes: )""/, '$1 12'),
        't.yaml',
      );
      expect(typed.problems.map((p) => p.message)).to.include.members([
        'evidence[0] is the number 42, not a string (quote it)',
        'evidence[1] is the boolean true, not a string (quote it)',
        'notes is the number 12, not a string (quote it)',
      ]);
      const big = join(dir, 'big.yaml');
      writeFileSync(big, Buffer.alloc(CHECKLIST_MAX_BYTES + 1, 0x20));
      const tooBig = await kaic('checklist', 'validate', big);
      expect(tooBig.code).to.equal(2);
      expect(tooBig.err).to.include('a checklist is at most 5242880');
    });

    it('error lines never echo binary junk', async function () {
      const junk = join(dir, 'junk.yaml');
      writeFileSync(
        junk,
        `metadata:\n  kubernetesVersion: "v1.3\u0007\u001b[31m5"\nspec:\n  a: []\n`,
      );
      const run = await kaic('checklist', 'validate', junk);
      // eslint-disable-next-line no-control-regex
      expect(run.out + run.err).not.to.match(/[\u0000-\u0008\u000B-\u001F\u007F]/);
      expect(run.out).to.include('\\x07\\x1b[31m5');
    });

    it('--help on every command and subcommand prints its usage and exits 0', async function () {
      for (const args of [
        ['run', '--help'],
        ['requirements', '--help'],
        ['checklist', '--help'],
        ['checklist', 'fill', '--help'],
        ['checklist', 'validate', '-h'],
        ['aggregate', '--help'],
        ['fakegpu', '--help'],
        ['fakegpu', 'publish', '--help'],
        ['fakegpu', 'profiles', '--help'],
      ]) {
        const run = await kaic(...args);
        expect(run.code, args.join(' ')).to.equal(0);
        expect(run.out, args.join(' ')).to.match(/usage: kaic/);
        expect(run.err).to.equal('');
      }
    });

    it('requirements --version and --checklist that disagree are refused', async function () {
      const official136 = officialChecklistPaths().find((o) => o.version === '1.36')!.path;
      const run = await kaic('requirements', '--version', '1.34', '--checklist', official136);
      expect(run.code).to.equal(2);
      expect(run.err).to.include('--version 1.34 contradicts --checklist');
      expect(
        (await kaic('requirements', '--version', 'v1.36', '--checklist', official136)).code,
      ).to.equal(0);
    });
  });
});
