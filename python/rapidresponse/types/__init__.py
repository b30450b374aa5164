"""The API's types, named and placed as openai-python places them (`openai.types`),
built from the generated table `_schema` on first access; importing builds nothing.

Not pydantic models (see `rapidresponse._models`), and request params (openai's
TypedDicts) are plain `dict` / `list` at run time. Modules such as
`rapidresponse.types.responses.response_output_message` are not files: a finder
makes them from the table.
"""

import sys
from typing import Any, Callable, Dict, FrozenSet, Iterable, List, Literal, Optional, Tuple, Union

_PREFIX = __name__ + "."

_built: Dict[str, Any] = {}  # alias name -> its typing object
_indexes: Dict[str, Any] = {}


def _table() -> Any:
    from . import _schema as schema

    return schema


def _param(key: str) -> type:
    """What a request param is at run time: `list` for the list-shaped ones, else `dict`."""
    return list if key in _table().LIST_PARAMS else dict


def _modules() -> Dict[str, Dict[str, Any]]:
    """openai's module (relative to openai.types) -> {name in it: table key, or the
    param's run-time type}."""
    mods = _indexes.get("modules")
    if mods is None:
        s = _table()
        mods = {}
        for key, entry in s.CLASSES.items():
            mods.setdefault(entry[0], {})[key.rpartition(".")[2]] = key
        for key in s.ALIASES:
            module = s.MODULES.get(key) or key.rpartition(".")[0]
            mods.setdefault(module, {})[key.rpartition(".")[2]] = key
        for params in s.PARAMS.values():
            for name, module in params.items():
                mods.setdefault(module, {})[name] = _param(name)
        for module, names in s.DEEP_PARAMS.items():
            for name in names:
                mods.setdefault(module, {})[name] = _param(f"{module}.{name}")
        _indexes["modules"] = mods
    return mods


def resolve(key: str) -> Any:
    """The run-time object for a class or alias of the table: a model class (always
    the same object), a union as typing.Union, another alias as its typing form."""
    s = _table()
    if key in s.CLASSES:
        from .._models import class_for

        return class_for(key)
    value = _built.get(key)
    if value is None:
        value = _built[key] = _build(s.ALIASES[key])
    return value


_NAMED: Dict[str, Any] = {
    "str": str,
    "int": int,
    "float": float,
    "bool": bool,
    "bytes": bytes,
    "object": object,
    "None": None,
    "Any": Any,
}


def _build(expr: Any) -> Any:
    """A type expression of the table (see _schema.ALIASES) as a typing object."""
    if isinstance(expr, str):
        return _NAMED[expr] if expr in _NAMED else resolve(expr)
    op, args = expr[0], expr[1:]
    if op == "Literal":
        return Literal[tuple(args)]
    if op == "Union":
        return Union[tuple(_build(a) for a in args)]
    if op == "List":
        return List[_build(args[0])]  # type: ignore[misc]
    if op == "Iterable":
        return Iterable[_build(args[0])]  # type: ignore[misc]
    if op == "Dict":
        return Dict[_build(args[0]), _build(args[1])]  # type: ignore[misc]
    raise ValueError(f"unknown type expression {expr!r}")


def _package_attrs(
    module_name: str, namespace: Dict[str, Any]
) -> Tuple[Callable[[str], Any], Callable[[], List[str]]]:
    """PEP 562 `__getattr__` / `__dir__` for one of the packages: what openai exports
    from it, resolved on first access and then kept in the module like any name."""
    package = module_name[len(_PREFIX):] if module_name.startswith(_PREFIX) else ""
    cache: List[Tuple[FrozenSet[str], Dict[str, str]]] = []

    def names() -> Tuple[FrozenSet[str], Dict[str, str]]:
        if not cache:
            s = _table()
            params = s.PARAMS.get(package, {})
            cache.append((frozenset(s.EXPORTS.get(package, ())) | frozenset(params), params))
        return cache[0]

    def __getattr__(name: str) -> Any:
        if name.startswith("_"):
            # Dunders and private names (the import system probes for `_schema` here).
            if name == "__all__":
                return sorted(names()[0])
            raise AttributeError(f"module {module_name!r} has no attribute {name!r}")
        exported, params = names()
        if name in exported:
            # A param may share its name with a model (shared_params.Reasoning).
            value = namespace[name] = _param(name) if name in params else resolve(name)
            return value
        sub = f"{package}.{name}" if package else name
        # A module made from the table, or a subpackage (types.webhooks).
        if sub in _modules() or sub in _table().EXPORTS:
            import importlib

            return importlib.import_module(_PREFIX + sub)
        raise AttributeError(f"module {module_name!r} has no attribute {name!r}")

    def __dir__() -> List[str]:
        return sorted(set(namespace) | names()[0])

    return __getattr__, __dir__


class _DeepModules:
    """Import finder and loader for openai's modules under openai.types that are not
    files here (`rapidresponse.types.responses.response`, ...): each is made from the
    table, its names resolved on first access. (Duck-typed rather than subclassing
    importlib.abc: importing that costs about a millisecond.)"""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if not fullname.startswith(_PREFIX) or fullname[len(_PREFIX):] not in _modules():
            return None
        from importlib.machinery import ModuleSpec

        return ModuleSpec(fullname, self)

    def create_module(self, spec: Any) -> Optional[Any]:
        return None

    def exec_module(self, module: Any) -> None:
        table = _modules()[module.__name__[len(_PREFIX):]]
        namespace = module.__dict__
        namespace["__all__"] = sorted(table)

        def __getattr__(name: str) -> Any:
            try:
                key = table[name]
            except KeyError:
                raise AttributeError(f"module {module.__name__!r} has no attribute {name!r}") from None
            value = namespace[name] = resolve(key) if isinstance(key, str) else key
            return value

        def __dir__() -> List[str]:
            return sorted(set(namespace) | set(table))

        namespace["__getattr__"] = __getattr__
        namespace["__dir__"] = __dir__


if not any(isinstance(f, _DeepModules) for f in sys.meta_path):
    # Last, so files on disk always win.
    sys.meta_path.append(_DeepModules())

__getattr__, __dir__ = _package_attrs(__name__, globals())

# A real module beside the table's (openai.types re-exports these too).
from .websocket_reconnection import ReconnectingEvent as ReconnectingEvent  # noqa: E402
from .websocket_reconnection import ReconnectingOverrides as ReconnectingOverrides  # noqa: E402
