// Serves the example page: `npm --prefix web run example` (after
// `npm --prefix web run build`). Starts the Rust mock server unless
// OPENAI_API_KEY is set (then the page talks to OPENAI_BASE_URL or OpenAI
// with that key: the key is visible to the page, so only on 127.0.0.1).
// Prints the page's URL; stops on Ctrl-C.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMock } from '../test/mock.mjs';

const web = dirname(dirname(fileURLToPath(import.meta.url)));
const types = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css', '.json': 'application/json' };

/** Starts the page server (and the mock); resolves with {url, stop}. */
export async function serveExample({ port = 0 } = {}) {
  const mock = process.env.OPENAI_API_KEY ? undefined : await startMock();
  const config = mock
    ? { baseURL: mock.url, apiKey: 'sk-mock-example', model: 'gpt-4.1' }
    : { baseURL: process.env.OPENAI_BASE_URL ?? 'https://api.openai.com/v1', apiKey: process.env.OPENAI_API_KEY, model: process.env.OPENAI_MODEL ?? 'gpt-4.1-mini' };
  const server = createServer(async (req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    if (path === '/config.json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify(config));
    }
    if (path === '/') {
      res.writeHead(302, { location: '/examples/' });
      return res.end();
    }
    const file = normalize(join(web, path.endsWith('/') ? `${path}index.html` : path));
    if (!file.startsWith(web) || file.includes('node_modules')) {
      res.writeHead(403);
      return res.end();
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end('not found');
    }
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}/examples/`;
  return {
    url,
    stop: () => {
      server.close();
      mock?.stop();
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { url, stop } = await serveExample({ port: Number(process.env.PORT ?? 8080) });
  console.log(`example page: ${url}`);
  process.on('SIGINT', () => {
    stop();
    process.exit(0);
  });
}
