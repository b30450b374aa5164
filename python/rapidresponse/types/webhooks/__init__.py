"""The webhook events' types, as `openai.types.webhooks` exports them: classes built
on first access (see rapidresponse.types); nothing is built at import."""

from .. import _package_attrs

__getattr__, __dir__ = _package_attrs(__name__, globals())
