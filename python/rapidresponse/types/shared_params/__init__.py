"""Request-side twins of the shared types, as `openai.types.shared_params` exports
them: plain dicts at run time (see rapidresponse.types)."""

from .. import _package_attrs

__getattr__, __dir__ = _package_attrs(__name__, globals())
