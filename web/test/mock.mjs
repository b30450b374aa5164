// Starts the Rust mock server (crates/rapidresponse-mock) for a test file
// and stops it after. The binary comes from RAPIDRESPONSE_MOCK_BIN or the
// workspace's target directory (debug, then release; scripts/test builds
// it first), and is built with cargo when neither has it.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function mockBinary() {
  const target = process.env.CARGO_TARGET_DIR ?? join(root, 'target');
  const exe = process.platform === 'win32' ? 'rapidresponse-mock.exe' : 'rapidresponse-mock';
  // The debug build first: it is what scripts/test builds, and a release
  // build left by bench/run may be older.
  const candidates = [process.env.RAPIDRESPONSE_MOCK_BIN, join(target, 'debug', exe), join(target, 'release', exe)].filter(
    Boolean,
  );
  let found = candidates.find((p) => existsSync(p));
  if (!found && !process.env.RAPIDRESPONSE_MOCK_BIN) {
    // A fresh clone (`npm --prefix web run example`): build it once.
    console.error('rapidresponse: building the mock server (cargo build -p rapidresponse-mock) ...');
    const built = spawnSync('cargo', ['build', '--quiet', '-p', 'rapidresponse-mock', '--bin', 'rapidresponse-mock'], {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (built.status === 0) found = candidates.find((p) => existsSync(p));
  }
  if (!found) throw new Error(`no mock server binary; build it with: cargo build -p rapidresponse-mock (looked at ${candidates})`);
  return found;
}

/**
 * A credential as the mock records it (its `mask_key`): three characters,
 * stars, the last four; ten characters or fewer all starred.
 */
export function masked(secret) {
  if (secret.length <= 10) return '*'.repeat(Math.max(secret.length, 4));
  return secret.slice(0, 3) + '*'.repeat(secret.length - 7) + secret.slice(-4);
}

/** Starts the mock; resolves with {url, origin, stop, requests()}. */
export function startMock({ apiKey } = {}) {
  const args = ['--port', '0'];
  if (apiKey) args.push('--api-key', apiKey);
  const child = spawn(mockBinary(), args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('the mock did not start within 10 s')), 10_000);
    child.on('error', reject);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/listening on (\S+)/);
      if (m) {
        clearTimeout(timer);
        const url = m[1];
        const origin = new URL(url).origin;
        resolve({
          url,
          origin,
          stop: () => child.kill(),
          /** The mock's request log. */
          requests: async () => (await (await fetch(`${origin}/__mock/requests`)).json()),
          /** Streams whose client left before they ended, as the server saw it. */
          streamsAbandoned: async () => (await (await fetch(`${origin}/__mock/stats`)).json()).streams_abandoned,
          /** Waits (up to 2 s) until the server has seen `n` streams abandoned. */
          waitForAbandoned: async function (n) {
            for (let i = 0; i < 200; i++) {
              if ((await this.streamsAbandoned()) >= n) return true;
              await new Promise((r) => setTimeout(r, 10));
            }
            return false;
          },
          /** Serves `body` verbatim to the next request. */
          pushReplay: async (body, { status = 200, contentType = 'text/event-stream' } = {}) => {
            const q = `status=${status}&content_type=${encodeURIComponent(contentType)}`;
            const r = await fetch(`${origin}/__mock/replay?${q}`, { method: 'POST', body });
            if (!r.ok) throw new Error(`push replay: ${r.status}`);
          },
          /** Queues a fault for the next request(s). */
          pushFault: async (spec) => {
            const r = await fetch(`${origin}/__mock/faults`, { method: 'POST', body: spec });
            if (!r.ok) throw new Error(`push fault: ${r.status}`);
          },
        });
      }
    });
  });
}
