// User scripts written for openai-node (web/test/scripts, import lines
// naming rapidresponse) run against the mock, and print the same thing
// with their import lines turned back to `openai` and run with openai-node.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMock } from '../mock.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const scripts = join(here, '..', 'scripts');
// Beside openai-node's node_modules, so `openai` and `zod` resolve there.
const official = join(here, '..', '..', '..', 'tests', 'sdk-compat', '.scripts');

let mock;
before(async () => {
  mock = await startMock();
  mkdirSync(official, { recursive: true });
});
after(() => {
  mock.stop();
  rmSync(official, { recursive: true, force: true });
});

function run(path) {
  return execFileSync(process.execPath, [path], {
    env: { ...process.env, OPENAI_API_KEY: 'sk-scripts', OPENAI_BASE_URL: mock.url },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

for (const name of readdirSync(scripts).filter((f) => f.endsWith('.mjs'))) {
  test(`${name} prints what it prints with openai-node`, () => {
    const ours = run(join(scripts, name));
    const theirsPath = join(official, name);
    writeFileSync(
      theirsPath,
      readFileSync(join(scripts, name), 'utf8')
        .replaceAll("'rapidresponse/helpers/zod'", "'openai/helpers/zod'")
        .replaceAll("'rapidresponse'", "'openai'"),
    );
    const theirs = run(theirsPath);
    assert.ok(ours.trim().length > 0);
    assert.doesNotMatch(ours, /false|undefined|null/, ours);
    assert.equal(ours, theirs);
  });
}
