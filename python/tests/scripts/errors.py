import rapidresponse
from rapidresponse import OpenAI

# The mock server reads a fault from a model named "mock-fault:<spec>".
client = OpenAI(max_retries=0, timeout=2.0)
cases = [
    ("mock-fault:status=401", rapidresponse.AuthenticationError),
    ("mock-fault:status=429", rapidresponse.RateLimitError),
    ("mock-fault:reset", rapidresponse.APIConnectionError),
    ("mock-fault:status=400", rapidresponse.BadRequestError),
    ("mock-fault:status=500", rapidresponse.InternalServerError),
]
for model, expected in cases:
    try:
        client.responses.create(model=model, input="hi")
    except rapidresponse.AuthenticationError as e:
        print("auth", e.status_code, e.code, e.request_id is not None, expected is type(e))
    except rapidresponse.RateLimitError as e:
        print("rate", e.status_code, e.code, expected is type(e))
    except rapidresponse.APITimeoutError:
        print("timeout")
    except rapidresponse.APIConnectionError as e:
        print("connection", e.message, expected is type(e))
    except rapidresponse.BadRequestError as e:
        print("bad", e.status_code, e.type, expected is type(e))
    except rapidresponse.InternalServerError as e:
        print("server", e.status_code, expected is type(e))
    except rapidresponse.APIError as e:
        print("other", e)
try:
    client.with_options(timeout=0.2).responses.create(model="mock-fault:hang", input="hi")
except rapidresponse.APITimeoutError as e:
    print("timeout", e.message, isinstance(e, rapidresponse.APIConnectionError))
try:
    client.responses.create(model="mock-fault:status=418", input="hi")
except rapidresponse.APIStatusError as e:
    print("status", e.status_code, type(e).__name__)
