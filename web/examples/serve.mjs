// Serves the example page: `npm --prefix web run example` (after
// `npm --prefix web run build`). Starts the Rust mock server unless
// OPENAI_API_KEY is set; then the page talks to `/api/v1` here, which
// forwards to OPENAI_BASE_URL (or OpenAI) and adds the key on the way: the
// key never reaches the page. Requests whose Host is not this server's
// loopback address are refused, so a web page elsewhere cannot reach it by
// DNS rebinding. Prints the page's URL; stops on Ctrl-C.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import { startMock } from '../test/mock.mjs';

const web = dirname(dirname(fileURLToPath(import.meta.url)));
const types = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css', '.json': 'application/json' };

// The placeholder the page sends as its key; the proxy replaces it.
const PAGE_KEY = 'sk-proxied-by-serve-mjs';
// Request headers not forwarded upstream (hop-by-hop, or the page's own).
const DROPPED = new Set(['host', 'connection', 'authorization', 'api-key', 'origin', 'referer', 'cookie', 'content-length']);

/**
 * Starts the page server (and the mock unless a key is given); resolves
 * with {url, mock, stop}. `upstream` ({baseURL, apiKey, model}) defaults to
 * OPENAI_BASE_URL / OPENAI_API_KEY / OPENAI_MODEL.
 */
export async function serveExample({ port = 0, upstream } = {}) {
  const env = process.env.OPENAI_API_KEY
    ? { baseURL: process.env.OPENAI_BASE_URL ?? 'https://api.openai.com/v1', apiKey: process.env.OPENAI_API_KEY, model: process.env.OPENAI_MODEL ?? 'gpt-4.1-mini' }
    : undefined;
  const real = upstream ?? env;
  const mock = real ? undefined : await startMock();
  let origin;
  // The mock's key is a placeholder of its own; a real one stays here.
  const config = () =>
    mock
      ? { baseURL: mock.url, apiKey: 'sk-mock-example', model: 'gpt-4.1' }
      : { baseURL: `${origin}/api/v1`, apiKey: PAGE_KEY, model: real.model ?? 'gpt-4.1-mini' };

  const server = createServer(async (req, res) => {
    if (!loopbackHost(req.headers.host, server.address().port)) {
      res.writeHead(403);
      return res.end('this server answers to 127.0.0.1 and localhost only');
    }
    const path = new URL(req.url, 'http://x').pathname;
    if (path === '/config.json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify(config()));
    }
    if (real && path.startsWith('/api/v1/')) return forward(req, res, real);
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
  origin = `http://127.0.0.1:${server.address().port}`;
  return {
    url: `${origin}/examples/`,
    mock,
    stop: () => {
      server.close();
      mock?.stop();
    },
  };
}

/** Whether `host` (the Host header) is this server's own loopback name. */
function loopbackHost(host, port) {
  return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`].includes(host ?? '');
}

/** Forwards one API call upstream with the real key; streams the answer back. */
async function forward(req, res, real) {
  const target = real.baseURL.replace(/\/$/, '') + req.url.slice('/api/v1'.length);
  const headers = {};
  for (const [k, v] of Object.entries(req.headers)) if (!DROPPED.has(k)) headers[k] = v;
  headers.authorization = `Bearer ${real.apiKey}`;
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  try {
    const upstream = await fetch(target, {
      method: req.method,
      headers,
      body: ['GET', 'HEAD'].includes(req.method) ? undefined : Buffer.concat(chunks),
      redirect: 'manual',
    });
    const out = {};
    for (const [k, v] of upstream.headers) if (!['content-encoding', 'content-length', 'transfer-encoding'].includes(k)) out[k] = v;
    res.writeHead(upstream.status, out);
    if (upstream.body) Readable.fromWeb(upstream.body).pipe(res);
    else res.end();
  } catch (e) {
    res.writeHead(502, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: `upstream unreachable: ${e.cause?.code ?? e.name}`, type: 'proxy_error' } }));
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { url, stop } = await serveExample({ port: Number(process.env.PORT ?? 8080) });
  console.log(`example page: ${url}`);
  process.on('SIGINT', () => {
    stop();
    process.exit(0);
  });
}
