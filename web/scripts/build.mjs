// Builds the npm package into dist/: the wasm module (cargo, wasm-bindgen,
// wasm-opt -Oz) and the TypeScript layer (tsc), then prints the size
// budget's numbers. Installs wasm-bindgen-cli (the version pinned in
// bindings/wasm/Cargo.toml) with cargo when it is missing.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const web = dirname(dirname(fileURLToPath(import.meta.url)));
const root = dirname(web);
const targetDir = process.env.CARGO_TARGET_DIR ?? join(root, 'target');
const profile = process.env.RAPIDRESPONSE_WASM_PROFILE ?? 'wasm-release';
const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });

const pinned = readFileSync(join(root, 'bindings/wasm/Cargo.toml'), 'utf8').match(/wasm-bindgen = "=([0-9.]+)"/)[1];
const cargoBin = join(process.env.CARGO_HOME ?? join(process.env.HOME ?? '', '.cargo'), 'bin');
let bindgen = 'wasm-bindgen';
const version = () => {
  try {
    return execFileSync(bindgen, ['--version'], { encoding: 'utf8' }).trim().split(' ')[1];
  } catch {
    return undefined;
  }
};
if (version() !== pinned) {
  bindgen = join(cargoBin, 'wasm-bindgen');
  if (version() !== pinned) {
    console.log(`installing wasm-bindgen-cli ${pinned} (once)`);
    run('cargo', ['install', 'wasm-bindgen-cli', '--version', `=${pinned}`]);
  }
}

run('rustup', ['target', 'add', 'wasm32-unknown-unknown'], { stdio: 'ignore' });
// Paths of the build machine stay out of the module's panic messages.
const home = process.env.CARGO_HOME ?? join(process.env.HOME ?? '', '.cargo');
const remap = `--remap-path-prefix=${home}/registry/src/=crates/ --remap-path-prefix=${root}/=`;
run('cargo', ['build', '-p', 'rapidresponse-wasm', '--target', 'wasm32-unknown-unknown', '--profile', profile], {
  env: { ...process.env, CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS: remap },
});

const gen = join(web, 'src/wasm');
rmSync(gen, { recursive: true, force: true });
const built = join(targetDir, 'wasm32-unknown-unknown', profile, 'rapidresponse_wasm.wasm');
run(bindgen, [built, '--target', 'web', '--out-dir', gen]);
// A closure of an instance that trapped may still be called later (a fetch
// or read it was waiting on settles). wasm-bindgen throws there, inside a
// promise callback nobody awaits: an unhandled rejection, which ends a Node
// process. That instance's futures are gone, so the call is dropped instead.
const glue = join(gen, 'rapidresponse_wasm.js');
const stale = "throw new Error('Cannot invoke closure from previous WASM instance');";
const source = readFileSync(glue, 'utf8');
if (!source.includes(stale)) throw new Error(`wasm-bindgen ${pinned}: the stale-closure check moved; update build.mjs`);
writeFileSync(glue, source.replaceAll(stale, 'return; // a dead instance\'s closure (build.mjs)'));
const wasm = join(gen, 'rapidresponse_wasm_bg.wasm');
run(join(web, 'node_modules/.bin/wasm-opt'), [
  '-Oz', '--strip-debug', '--strip-producers',
  '--enable-bulk-memory', '--enable-nontrapping-float-to-int', '--enable-sign-ext',
  '--enable-mutable-globals', '--enable-reference-types', '--enable-multivalue',
  wasm, '-o', wasm,
]);

rmSync(join(web, 'dist'), { recursive: true, force: true });
run(join(web, 'node_modules/.bin/tsc'), ['-p', join(web, 'tsconfig.json')]);
mkdirSync(join(web, 'dist/wasm'), { recursive: true });
for (const f of ['rapidresponse_wasm.js', 'rapidresponse_wasm.d.ts', 'rapidresponse_wasm_bg.wasm']) {
  copyFileSync(join(gen, f), join(web, 'dist/wasm', f));
}

const size = (f) => {
  const bytes = readFileSync(f);
  return { raw: statSync(f).size, gzip: gzipSync(bytes, { level: 9 }).length };
};
const parts = {
  wasm: size(join(web, 'dist/wasm/rapidresponse_wasm_bg.wasm')),
  glue: size(join(web, 'dist/wasm/rapidresponse_wasm.js')),
};
const total = { raw: parts.wasm.raw + parts.glue.raw, gzip: parts.wasm.gzip + parts.glue.gzip };
writeFileSync(join(web, 'dist/size.json'), JSON.stringify({ ...parts, total }, null, 2) + '\n');
console.log(
  `wasm ${parts.wasm.raw} B (${parts.wasm.gzip} B gzip) + glue ${parts.glue.raw} B (${parts.glue.gzip} B gzip) = ${total.gzip} B gzip`,
);
