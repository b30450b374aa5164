"""Test your own code offline: `MockServer` is rapidresponse's Rust mock of
the Responses API, started in-process on 127.0.0.1 with its fault
scripting (`push_fault("status=429,retry-after-ms=10")`, `hang`,
`drop-after=N`, ...; see crates/rapidresponse-mock/FAULTS.md).

    from rapidresponse import OpenAI
    from rapidresponse.testing import MockServer

    with MockServer() as mock:
        client = OpenAI(api_key="test", base_url=mock.url)
        print(client.responses.create(model="m", input="hi").output_text)
"""

from ._native import MockServer

__all__ = ["MockServer"]
