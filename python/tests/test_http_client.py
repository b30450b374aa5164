"""openai-python's `http_client=` carried over to the Rust transport:
through a real HTTP proxy (with credentials) as DefaultHttpxClient and as a
real httpx2 client, a server whose certificate only a custom CA vouches for
(`verify="ca.pem"`, `verify=False`), a server that requires a client
certificate (`cert=`), timeouts, limits and headers, and a clear TypeError
for what cannot be carried over."""

from __future__ import annotations

import asyncio
import base64
import ssl
import subprocess
import threading
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import urlsplit

import pytest

import rapidresponse
from rapidresponse import APIConnectionError, DefaultAsyncHttpxClient, DefaultHttpxClient, OpenAI
from rapidresponse.testing import MockServer


def _serve(handle: Any, ssl_context: Optional[ssl.SSLContext] = None) -> int:
    """Runs an asyncio server on 127.0.0.1 in a thread; its port."""
    loop = asyncio.new_event_loop()
    server = loop.run_until_complete(asyncio.start_server(handle, "127.0.0.1", 0, ssl=ssl_context))
    threading.Thread(target=loop.run_forever, daemon=True).start()
    return int(server.sockets[0].getsockname()[1])


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except Exception:
        pass
    finally:
        writer.close()


def _proxy() -> Tuple[int, List[str]]:
    """A forwarding HTTP proxy (absolute-form requests and CONNECT); the
    request heads it saw."""
    seen: List[str] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        seen.append(head.decode("latin-1"))
        method, target, _ = head.split(b"\r\n", 1)[0].decode().split(" ")
        if method == "CONNECT":
            host, port = target.rsplit(":", 1)
            up_reader, up_writer = await asyncio.open_connection(host, int(port))
            writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        else:
            url = urlsplit(target)
            up_reader, up_writer = await asyncio.open_connection(url.hostname, url.port)
            up_writer.write(head)  # absolute-form: the server takes it as it is
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))

    return _serve(handle), seen


def _tls_front(target: int, context: ssl.SSLContext) -> int:
    """TLS in front of `target` (the plain-HTTP mock)."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", target)
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))

    return _serve(handle, context)


@pytest.fixture(scope="module")
def certs(tmp_path_factory: Any) -> Dict[str, str]:
    """A CA, a server certificate for 127.0.0.1 and a client certificate, made by openssl."""
    d = tmp_path_factory.mktemp("certs")

    def run(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True)

    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
        "-days", "2", "-subj", "/CN=rapidresponse test CA")  # fmt: skip
    for name, usage, alt in [("server", "serverAuth", "subjectAltName=IP:127.0.0.1\n"), ("client", "clientAuth", "")]:
        run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr",
            "-subj", f"/CN={name}")  # fmt: skip
        (d / f"{name}.ext").write_text(f"{alt}basicConstraints=CA:FALSE\nextendedKeyUsage={usage}\n")
        run("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", f"{name}.pem", "-days", "2", "-extfile", f"{name}.ext")  # fmt: skip
    return {n: str(d / n) for n in ("ca.pem", "server.pem", "server.key", "client.pem", "client.key")}


def _server_context(certs: Dict[str, str], client_ca: bool = False) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certs["server.pem"], certs["server.key"])
    if client_ca:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(certs["ca.pem"])
    return context


def test_requests_go_through_the_http_clients_proxy_with_its_credentials(mock: MockServer) -> None:
    port, seen = _proxy()
    proxy = f"http://alice:s3cret@127.0.0.1:{port}"
    client = OpenAI(api_key="k", base_url=mock.url, http_client=DefaultHttpxClient(proxy=proxy))
    assert client.responses.create(model="gpt-4.1", input="via proxy").output_text == "Mock answer to: via proxy."
    assert len(seen) == 1 and seen[0].startswith(f"POST {mock.url}/responses HTTP/1.1")
    sent = {line.split(":", 1)[0].lower(): line.split(":", 1)[1].strip() for line in seen[0].split("\r\n")[1:] if ":" in line}
    assert sent["proxy-authorization"] == "Basic " + base64.b64encode(b"alice:s3cret").decode()
    assert "s3cret" not in repr(client._native())

    # A real httpx2 client's proxy, read from its mounts.
    httpx2 = pytest.importorskip("httpx2")
    real = OpenAI(api_key="k", base_url=mock.url, http_client=httpx2.Client(proxy=proxy, timeout=20))
    assert real.timeout.read == 20
    assert real.responses.create(model="gpt-4.1", input="again").output_text == "Mock answer to: again."
    assert len(seen) == 2

    # The WebSocket mode tunnels through the same proxy (CONNECT).
    with client.responses.connect() as connection:
        connection.response.create(model="gpt-4.1", input="over a tunnel")
        events = list(connection)
    assert events[-1].response.output_text == "Mock answer to: over a tunnel."
    assert seen[-1].startswith(f"CONNECT 127.0.0.1:{urlsplit(mock.url).port} HTTP/1.1")
    tunnels = len(seen)

    # with_options(http_client=...) gets a transport of its own.
    direct = client.with_options(http_client=DefaultHttpxClient(trust_env=False))
    direct.responses.create(model="gpt-4.1", input="direct")
    assert len(seen) == tunnels


def test_a_custom_ca_verify_false_and_a_client_certificate(mock: MockServer, certs: Dict[str, str]) -> None:
    port = urlsplit(mock.url).port
    assert port is not None
    https = f"https://127.0.0.1:{_tls_front(port, _server_context(certs))}/v1"
    with pytest.raises(APIConnectionError):
        OpenAI(api_key="k", base_url=https, max_retries=0).responses.create(model="gpt-4.1", input="x")
    trusted = OpenAI(api_key="k", base_url=https, http_client=DefaultHttpxClient(verify=certs["ca.pem"]))
    assert trusted.responses.create(model="gpt-4.1", input="tls").output_text == "Mock answer to: tls."
    unchecked = OpenAI(api_key="k", base_url=https, http_client=DefaultHttpxClient(verify=False))
    assert unchecked.responses.create(model="gpt-4.1", input="any").output_text == "Mock answer to: any."

    mutual = f"https://127.0.0.1:{_tls_front(port, _server_context(certs, client_ca=True))}/v1"
    without = OpenAI(api_key="k", base_url=mutual, max_retries=0, http_client=DefaultHttpxClient(verify=certs["ca.pem"]))
    with pytest.raises(APIConnectionError):
        without.responses.create(model="gpt-4.1", input="x")
    with_cert = DefaultHttpxClient(verify=certs["ca.pem"], cert=(certs["client.pem"], certs["client.key"]))
    client = OpenAI(api_key="k", base_url=mutual, http_client=with_cert)
    assert client.responses.create(model="gpt-4.1", input="mtls").output_text == "Mock answer to: mtls."
    # wss:// with the same CA and client certificate.
    with client.responses.connect() as connection:
        connection.response.create(model="gpt-4.1", input="wss")
        assert list(connection)[-1].response.output_text == "Mock answer to: wss."
    with unchecked.responses.connect() as connection:
        connection.response.create(model="gpt-4.1", input="wss unchecked")
        assert list(connection)[-1].response.output_text == "Mock answer to: wss unchecked."

    async def run() -> str:
        aclient = rapidresponse.AsyncOpenAI(
            api_key="k",
            base_url=mutual,
            http_client=DefaultAsyncHttpxClient(verify=certs["ca.pem"], cert=(certs["client.pem"], certs["client.key"])),
        )
        r = await aclient.responses.create(model="gpt-4.1", input="async mtls")
        return r.output_text  # type: ignore[no-any-return]

    assert asyncio.run(run()) == "Mock answer to: async mtls."


def test_timeout_limits_and_headers_are_carried_and_the_rest_refused(mock: MockServer, tmp_path: Path) -> None:
    client = OpenAI(
        api_key="k",
        base_url=mock.url,
        default_headers={"X-Mine": "wins"},
        http_client=DefaultHttpxClient(
            timeout=12.5,
            limits={"max_connections": 10, "max_keepalive_connections": 2, "keepalive_expiry": 3},
            headers={"X-Team": "ci", "X-Mine": "loses"},
            http2=True,
        ),
    )
    assert client.timeout == 12.5
    client.responses.create(model="gpt-4.1", input="hi")
    headers = mock.requests()[-1]["headers"]
    assert headers["x-team"] == "ci" and headers["x-mine"] == "wins"
    assert client._network == {"max_keepalive_connections": 2, "keepalive_expiry": 3.0}

    refused = [
        (DefaultHttpxClient(event_hooks={"request": [print]}), "event_hooks"),
        (DefaultHttpxClient(transport=object()), "transport"),
        (DefaultHttpxClient(verify=ssl.create_default_context()), "verify=SSLContext"),
        (DefaultHttpxClient(cert=("c.pem", "k.pem", "password")), "password"),
        (DefaultHttpxClient(follow_redirects=False), "follow_redirects"),
        (DefaultHttpxClient(unheard_of=1), "unheard_of"),
        (object(), "object"),
    ]
    for http_client, named in refused:
        with pytest.raises(TypeError, match=named):
            OpenAI(api_key="k", base_url=mock.url, http_client=http_client)
    # A CA bundle that is not there: a clear error at the first call.
    broken = OpenAI(api_key="k", base_url=mock.url, http_client=DefaultHttpxClient(verify=str(tmp_path / "none.pem")))
    with pytest.raises(rapidresponse.OpenAIError, match="none.pem"):
        broken.responses.create(model="gpt-4.1", input="x")
