import functools
import random
import time
from typing import Any, Callable, TypeVar

from rapidresponse import APITimeoutError, InternalServerError, OpenAI, RateLimitError

T = TypeVar("T")
client = OpenAI(max_retries=0)
attempts = {"n": 0}


def with_backoff(fn: Callable[[], T], max_attempts: int = 5, base: float = 0.01) -> T:
    for attempt in range(max_attempts):
        try:
            return fn()
        except (RateLimitError, APITimeoutError, InternalServerError) as e:
            if attempt == max_attempts - 1:
                raise
            delay = base * (2**attempt) + random.uniform(0, base)
            print(f"retry {attempt + 1} after {type(e).__name__}")
            time.sleep(delay)
    raise RuntimeError("unreachable")


def retry(max_attempts: int = 4) -> Callable[[Callable[..., T]], Callable[..., T]]:
    def decorate(fn: Callable[..., T]) -> Callable[..., T]:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> T:
            for attempt in range(max_attempts):
                try:
                    return fn(*args, **kwargs)
                except (RateLimitError, APITimeoutError, InternalServerError):
                    if attempt == max_attempts - 1:
                        raise
                    time.sleep(0.01 * 2**attempt)
            raise RuntimeError("unreachable")

        return wrapper

    return decorate


def flaky() -> str:
    attempts["n"] += 1
    model = "mock-fault:status=429" if attempts["n"] < 3 else "gpt-4.1"
    return client.responses.create(model=model, input="hi").output_text


print("backoff", with_backoff(flaky))


@retry()
def ask(prompt: str) -> str:
    return client.responses.create(model="gpt-4.1", input=prompt).output_text


print("decorated", ask("hello"))
