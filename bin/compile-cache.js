/**
 * Runs the CLI's TypeScript as JavaScript compiled once and kept in a cache, so that `offboard` starts fast (it runs
 * in loops and scripts; through tsx each call paid over a second) and still needs no build step after `npm ci`.
 *
 * Each of our .ts modules is compiled by esbuild (type erasure only, as tsx does) the first time it is required, and
 * stored under node_modules/.cache/offboard-cli/ with the size and mtime of its source. Later requires compare them
 * with the source (one stat) and use the stored JavaScript; a changed source (an edit, a pull, a checkout) is
 * compiled again, alone. Modules keep their real file names, so `__dirname` and stack traces are those of the source.
 * Only the modules that a command loads are compiled or checked; packages load from node_modules as usual.
 *
 * Node 20 has no supported hook for CommonJS loading, so this registers a `require.extensions` handler, as tsx,
 * ts-node and @babel/register do.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
/** Part of every entry's stamp: change it when the compile options change, and every entry is compiled again. */
const FORMAT = 'esbuild-cjs-node20-v2';

function cacheDir() {
  return path.join(ROOT, 'node_modules', '.cache', 'offboard-cli');
}

/** The stamp at the end of a compiled entry: what its source looked like when it was compiled. */
function stampOf(stat) {
  return `\n//# offboard-cli-cache ${FORMAT} ${stat.size} ${stat.mtimeMs}\n`;
}

let esbuild; // loaded only when a module must be compiled

function compile(filename) {
  esbuild ??= require('esbuild');
  return esbuild.transformSync(fs.readFileSync(filename, 'utf8'), {
    loader: 'ts',
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    // `import()` of our modules becomes require(), as tsc compiles it: Node's ESM loader knows no extensionless .ts.
    supported: { 'dynamic-import': false },
    sourcefile: filename,
  }).code;
}

/** Writes by rename, so that a CLI started in parallel never reads half an entry. */
function store(file, text) {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const partial = `${file}.${process.pid}.partial`;
    fs.writeFileSync(partial, text);
    fs.renameSync(partial, file);
  } catch {
    // A read-only node_modules: the CLI still works, it only compiles again next time.
  }
}

/** The JavaScript of one of our .ts modules: from the cache when its source is unchanged, else compiled (and stored). */
function javascriptOf(filename) {
  const stamp = stampOf(fs.statSync(filename));
  const entry = path.join(cacheDir(), `${path.relative(ROOT, filename)}.js`);
  try {
    const cached = fs.readFileSync(entry, 'utf8');
    if (cached.endsWith(stamp)) return cached;
  } catch {
    // not compiled yet
  }
  const code = compile(filename) + stamp;
  store(entry, code);
  return code;
}

/** Makes `require` of our .ts modules (the CLI and what it imports from common/, config/, activities/) use the cache. */
function register() {
  require.extensions['.ts'] = (module, filename) => {
    // `_compile` is what Node's own loader calls with a module's JavaScript; every require hook uses it.
    module._compile(javascriptOf(filename), filename);
  };
}

module.exports = { register, cacheDir };
