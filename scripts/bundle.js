// Bundles the action and the CLI into dist/ with esbuild. `--check` rebuilds into a temporary
// directory and fails when dist/ differs, so a stale committed bundle never ships.
import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { build } from 'esbuild';

const entryPoints = {
  main: 'src/main.ts',
  post: 'src/post.ts',
  cli: 'src/cli/index.ts',
  // The conformance suites, one file per requirement, loaded by the runner at run time; shared
  // code lands in chunks/ with the CLI's.
  ...Object.fromEntries(
    readdirSync('suites')
      .filter((f) => f.endsWith('.ts'))
      .sort()
      .map((f) => [`suites/${f.slice(0, -3)}`, `suites/${f}`]),
  ),
};

// node-fetch 2 (under @kubernetes/client-node) reaches Node's deprecated built-in punycode through
// whatwg-url/tr46, which warns (DEP0040) on every run from Node 21; the npm package of the same
// code is bundled instead.
const alias = { punycode: 'punycode/' };

const banner = {
  // Some bundled CommonJS dependencies call require() on Node built-ins.
  js: "import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);",
};

// src/fakegpu/plugin/protos.ts reads the .proto files beside it; in a bundle they are inlined.
const inlineProtos = {
  name: 'inline-protos',
  setup(build) {
    build.onLoad({ filter: /fakegpu[\\/]plugin[\\/]protos\.ts$/ }, (args) => {
      const dir = join(dirname(args.path), 'proto');
      const sources = Object.fromEntries(
        readdirSync(dir)
          .filter((f) => f.endsWith('.proto'))
          .sort()
          .map((f) => [f, readFileSync(join(dir, f), 'utf8')]),
      );
      return {
        loader: 'js',
        contents: `const SOURCES = ${JSON.stringify(sources)};
export function protoSource(file) {
  if (!(file in SOURCES)) throw new Error('no proto file ' + file + ' in this bundle');
  return SOURCES[file];
}
`,
      };
    });
  },
};

async function bundle(outdir) {
  // The fake-GPU publisher and exporter alone, minified into one file: it ships gzipped in a
  // ConfigMap (1 MiB limit) to run on a stock Node image inside kind clusters.
  await build({
    entryPoints: { fakegpu: 'src/cli/fakegpu-main.ts' },
    outdir,
    bundle: true,
    minify: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    legalComments: 'eof',
    logLevel: 'warning',
    banner,
    alias,
    plugins: [inlineProtos],
  });
  await build({
    entryPoints,
    outdir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    // The action runs on node24; the CLI must also run on Node 20.
    target: 'node20',
    splitting: true,
    // Whitespace and syntax only, names kept (stack traces stay readable): a process loads less
    // source, so `kaic fakegpu publish` starts at 66 MB instead of 88 MB (dist/ 9 MB, not 16).
    minifyWhitespace: true,
    minifySyntax: true,
    chunkNames: 'chunks/[name]-[hash]',
    outExtension: { '.js': '.js' },
    legalComments: 'eof',
    logLevel: 'warning',
    banner,
    alias,
    plugins: [inlineProtos],
  });
}

function listFiles(dir, prefix = '') {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? listFiles(join(dir, entry.name), `${prefix}${entry.name}/`)
      : [`${prefix}${entry.name}`],
  );
}

if (process.argv.includes('--check')) {
  const tmp = mkdtempSync(join(tmpdir(), 'kaic-dist-'));
  try {
    await bundle(tmp);
    const fresh = listFiles(tmp).sort();
    const committed = listFiles('dist')
      .filter((f) => f !== 'package.json')
      .sort();
    const stale = [
      ...fresh.filter((f) => !committed.includes(f)).map((f) => `missing: dist/${f}`),
      ...committed.filter((f) => !fresh.includes(f)).map((f) => `extra: dist/${f}`),
      ...fresh
        .filter((f) => committed.includes(f))
        .filter((f) => !readFileSync(join(tmp, f)).equals(readFileSync(join('dist', f))))
        .map((f) => `differs: dist/${f}`),
    ];
    if (stale.length) {
      console.error(
        `dist/ is stale; run "npm run build" and commit dist/:\n  ${stale.join('\n  ')}`,
      );
      process.exit(1);
    }
    console.log(`dist/ is fresh (${fresh.length} files)`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
} else {
  rmSync('dist', { recursive: true, force: true });
  await bundle('dist');
  console.log(`bundled ${Object.keys(entryPoints).join(', ')} and fakegpu into dist/`);
}
