/**
 * The CLI compiled into one JavaScript file and kept in a cache, so that `offboard` starts fast (it runs in loops and
 * scripts; through tsx every call cost over a second) and still needs no build step after `npm ci`.
 *
 * - Compiled on first use, and again whenever a file it was compiled from has changed (an edit, a pull, a checkout,
 *   an `npm ci`): every start compares the size and mtime of our sources, and npm's record of node_modules, with what
 *   the last build saw. esbuild bundles client/cli.ts with our modules and the packages it uses; what only
 *   `revoke-own` loads (the Alibaba SDKs, @temporalio/common for its error classification, zod for the worker's
 *   configuration) stays in node_modules: every start reads and parses the whole bundle, and those are most of it.
 *   Commands stay lazy inside the bundle: a module's code runs only when it is first required.
 * - V8's code cache for the bundle is kept per command (written after the command's first successful run), so that
 *   later starts skip parsing and compiling what that command runs, which is most of its start-up time.
 * - Files are written under a new name and renamed, and a bundle's name carries its content hash, so CLIs started in
 *   parallel never read half a file or a code cache of another bundle. Where node_modules is read-only, the CLI is
 *   compiled in memory at every start.
 *
 * `npm run bench:cli` measures the result.
 */
'use strict';
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const vm = require('node:vm');

const ROOT = path.resolve(__dirname, '..');
const ENTRY = 'client/cli.ts';
/** Inputs of every build besides the modules esbuild reads: this file, the compiler settings, npm's record. */
const BUILD_INPUTS = ['bin/compiled-cli.js', 'tsconfig.json', 'node_modules/.package-lock.json'];

function cacheDir() {
  return path.join(ROOT, 'node_modules', '.cache', 'offboard-cli');
}

function stamp(file) {
  try {
    const s = fs.statSync(path.join(ROOT, file));
    return `${s.size}:${s.mtimeMs}`;
  } catch {
    return 'missing';
  }
}

function writeAtomically(file, data) {
  const partial = `${file}.${process.pid}.partial`;
  fs.writeFileSync(partial, data);
  fs.renameSync(partial, file);
}

/**
 * Reads our own modules for esbuild: records each one's stamp just before reading it (a file saved during the build
 * is then compiled again at the next start), and gives it its own directory as __dirname, not the bundle's (config/
 * finds the demo fixture by it).
 */
function ownSources(stamps) {
  return {
    name: 'own-sources',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, async (args) => {
        if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
        stamps[path.relative(ROOT, args.path)] = stamp(path.relative(ROOT, args.path));
        const source = await fs.promises.readFile(args.path, 'utf8');
        return { loader: 'ts', contents: source.replace(/\b__dirname\b/g, JSON.stringify(path.dirname(args.path))) };
      });
    },
  };
}

async function compile() {
  const esbuild = require('esbuild');
  const inputs = Object.fromEntries(BUILD_INPUTS.map((f) => [f, stamp(f)]));
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: [ENTRY],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['@alicloud/*', '@darabonba/*', '@temporalio/*', 'zod'],
    // Without comments and indentation the file is a third smaller, and read and parsed at every start.
    minifyWhitespace: true,
    // import() becomes require(): the bundle runs as one script, without Node's ESM loader.
    supported: { 'dynamic-import': false },
    plugins: [ownSources(inputs)],
    write: false,
    outfile: 'cli.js',
    logLevel: 'error',
  });
  const code = result.outputFiles[0].text;
  const id = require('node:crypto').createHash('sha256').update(code).digest('hex').slice(0, 16);
  // Pure ASCII (as esbuild writes it, but for regular expressions) reads faster as latin1 than as UTF-8.
  const encoding = /[^\t\n\r\x20-\x7e]/.test(code) ? 'utf8' : 'latin1';
  return { id, inputs, encoding, code };
}

/** Compiles into the cache, removing older builds; where the cache cannot be written, the code is only in memory. */
async function compileIntoCache(dir) {
  const { id, inputs, encoding, code } = await compile();
  try {
    fs.mkdirSync(dir, { recursive: true });
    writeAtomically(path.join(dir, `cli.${id}.js`), code);
    writeAtomically(path.join(dir, 'build.json'), JSON.stringify({ id, encoding, inputs }));
  } catch {
    return { code };
  }
  for (const file of fs.readdirSync(dir)) {
    if (file.startsWith('cli.') && !file.startsWith(`cli.${id}.`)) fs.rmSync(path.join(dir, file), { force: true });
  }
  return { id, code };
}

/** The code of the last build, if none of its inputs has changed since. */
function freshBuild(dir) {
  try {
    const build = JSON.parse(fs.readFileSync(path.join(dir, 'build.json'), 'utf8'));
    if (!Object.entries(build.inputs).every(([file, s]) => stamp(file) === s)) return undefined;
    return { id: build.id, code: fs.readFileSync(path.join(dir, `cli.${build.id}.js`), build.encoding) };
  } catch {
    return undefined;
  }
}

/**
 * Loads the compiled CLI for `command` (its name, or "help"): the module exports of client/cli.ts, and a function to
 * call after the command succeeded, which stores V8's code cache when this command has none yet.
 */
async function loadCli(command) {
  const dir = cacheDir();
  const { id, code } = freshBuild(dir) ?? (await compileIntoCache(dir));
  // Compiled in memory only (a read-only cache), the bundle resolves packages as if it were in client/.
  const file = id ? path.join(dir, `cli.${id}.js`) : path.join(ROOT, 'client', 'cli.js');
  const codeCacheFile = id && /^[a-z-]+$/.test(command) ? path.join(dir, `cli.${id}.${command}.v8`) : '';
  let cachedData;
  try {
    cachedData = codeCacheFile ? fs.readFileSync(codeCacheFile) : undefined;
  } catch {
    // this command has not run yet with this build
  }
  // The wrapper of a CommonJS module, as Node's own loader puts around a file.
  const wrapper = `(function (exports, require, module, __filename, __dirname) {${code}\n})`;
  const script = new vm.Script(wrapper, { filename: file, cachedData });
  const module = { exports: {} };
  const args = [module.exports, Module.createRequire(file), module, file, path.dirname(file)];
  script.runInThisContext().apply(module.exports, args);
  return {
    cli: module.exports,
    keepCodeCache() {
      if (!codeCacheFile || (cachedData && !script.cachedDataRejected)) return;
      try {
        writeAtomically(codeCacheFile, script.createCachedData());
      } catch {
        // a read-only cache: the next start compiles again
      }
    },
  };
}

module.exports = { loadCli, cacheDir };
