// Reproducible build of consent_server/static/consent.js from src/ (ES modules + style.css).
// `node build.mjs` writes it; `node build.mjs --check` fails when the shipped file differs from a fresh build.
// The first line records a SHA-256 of the inputs so Python tests can spot a stale file without node.
import { build, transform } from 'esbuild';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'consent_server', 'static', 'consent.js');

/** SHA-256 over src/*, build.mjs and package-lock.json (names and bytes); mirrored in consent_server/snippet.py. */
export function sourceHash() {
  const files = readdirSync(join(here, 'src')).sort().map((f) => 'src/' + f).concat(['build.mjs', 'package-lock.json']);
  const h = createHash('sha256');
  for (const f of files) h.update(f + '\0').update(readFileSync(join(here, f))).update('\0');
  return h.digest('hex');
}

const cssText = {
  name: 'css-text',
  setup(b) {
    b.onLoad({ filter: /\.css$/ }, async (args) => {
      const css = await transform(readFileSync(args.path, 'utf8'), { loader: 'css', minify: true });
      return { contents: css.code.trim(), loader: 'text' };
    });
  },
};

const result = await build({
  entryPoints: [join(here, 'src', 'index.js')],
  bundle: true, minify: true, format: 'iife', target: ['es2020'], charset: 'utf8',
  legalComments: 'none', write: false, plugins: [cssText],
});
const code = '/*! consent-server snippet | AGPL-3.0-or-later | src sha256:' + sourceHash() + ' */\n' + result.outputFiles[0].text;
if (code.split('"__CONSENT_CONFIG__"').length !== 2) throw new Error('the config slot must occur exactly once');

if (process.argv.includes('--check')) {
  let shipped = '';
  try { shipped = readFileSync(out, 'utf8'); } catch (e) { /* missing counts as stale */ }
  if (shipped !== code) {
    console.error('consent_server/static/consent.js is stale: run `make snippet`');
    process.exit(1);
  }
  console.log('consent.js is up to date');
} else {
  writeFileSync(out, code);
  console.log('wrote', out, code.length, 'bytes');
}
