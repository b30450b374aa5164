"""The objects the API returns: attribute access over the JSON as received,
converted on first access. Not pydantic, but shaped like openai-python's
models (`to_dict`, `model_dump`, `model_dump_json`, unknown fields readable
as attributes, None for known fields the server did not send).

Why not pydantic: openai-python spends ~75 % of a large response's parse in
`validate_python`. Here an object is its JSON: `__dict__` holds the members
exactly as the server sent them, and a nested object (or a list of them)
becomes a model only when its field is first read. A response may even be
kept as raw bytes until a field is read (`output_text` then reads the bytes
directly in Rust).

The classes themselves are built on demand from the generated table in
`rapidresponse.types._schema` (`class_for`).
"""

from __future__ import annotations

import json
from typing import Any, Callable, ClassVar, Dict, Iterator, Optional, Tuple

__all__ = ["BaseModel", "class_for", "converter", "ModelList"]

_object_new = object.__new__


class ModelList(list):  # type: ignore[type-arg]
    """A list whose items were converted to models (a plain list is not yet)."""

    __slots__ = ()


class ModelDict(dict):  # type: ignore[type-arg]
    """A dict whose values were converted to models (a plain dict is not yet)."""

    __slots__ = ()


def _materialize(obj: "BaseModel") -> bool:
    """Parses a response kept as raw bytes into its `__dict__`; False if there was none."""
    try:
        raw = obj._rr_raw
    except AttributeError:
        return False
    if raw is None:
        return False
    obj._rr_raw = None
    try:
        data = json.loads(raw)
    except RecursionError:
        # A server's JSON nested deeper than Python's recursion limit: say
        # so as the stream does, not with an interpreter error.
        raise ValueError("invalid JSON: the response nests deeper than Python's recursion limit") from None
    if type(data) is dict:
        # Fields set on the object meanwhile (none in practice) win.
        data.update(obj.__dict__)
        obj.__dict__ = data
    return True


class _Nested:
    """A field holding models: converts the raw JSON on first read and keeps the result."""

    __slots__ = ("key", "conv")

    def __init__(self, key: str, conv: Callable[[Any], Any]) -> None:
        self.key = key
        self.conv = conv

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return self
        d = obj.__dict__
        try:
            v = d[self.key]
        except KeyError:
            if _materialize(obj):
                return self.__get__(obj, owner)
            return None
        t = type(v)
        if t is dict or t is list:
            v = self.conv(v)
            d[self.key] = v
        return v

    def __set__(self, obj: Any, value: Any) -> None:
        obj.__dict__[self.key] = value

    def __delete__(self, obj: Any) -> None:
        del obj.__dict__[self.key]


class _Alias:
    """A field whose Python name differs from its JSON name (`schema_` for "schema")."""

    __slots__ = ("key", "nested")

    def __init__(self, key: str, nested: Optional[_Nested]) -> None:
        self.key = key
        self.nested = nested

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return self
        if self.nested is not None:
            return self.nested.__get__(obj, owner)
        try:
            return obj.__dict__[self.key]
        except KeyError:
            if _materialize(obj):
                return self.__get__(obj, owner)
            return None

    def __set__(self, obj: Any, value: Any) -> None:
        obj.__dict__[self.key] = value


class BaseModel:
    """An API object. Its `__dict__` is the JSON the server sent (nested
    objects become models when read); known fields not sent read as None."""

    # _rr_extra: per-object extras (a precomputed output_text, a snapshot ref).
    __slots__ = ("__dict__", "_rr_raw", "_request_id", "_rr_extra")

    # Field name (Python) -> JSON name, in declaration order.
    model_fields: ClassVar[Dict[str, str]] = {}

    def __init__(self, **data: Any) -> None:
        aliases = type(self).model_fields
        for k, v in data.items():
            self.__dict__[aliases.get(k, k)] = v

    # -- construction -----------------------------------------------------

    @classmethod
    def construct(cls, _fields_set: Any = None, **values: Any) -> Any:
        return cls(**values)

    model_construct = construct

    @classmethod
    def model_validate(cls, obj: Any, **_: Any) -> Any:
        """Builds the model from a dict (or returns a model as is). No validation, as `construct`."""
        if isinstance(obj, cls):
            return obj
        if isinstance(obj, BaseModel):
            obj = obj.to_dict()
        if not isinstance(obj, dict):
            raise TypeError(f"{cls.__name__}.model_validate expects a dict, got {type(obj).__name__}")
        return _new(cls, dict(obj))

    @classmethod
    def model_validate_json(cls, data: Any, **_: Any) -> Any:
        return cls.model_validate(json.loads(data))

    # -- attribute access -------------------------------------------------

    def __getattr__(self, name: str) -> Any:
        # Only called when normal lookup fails.
        if name.startswith("_rr_") or name.startswith("__"):
            raise AttributeError(name)
        if name == "_request_id":
            return None
        if _materialize(self):
            return getattr(self, name)
        if name in type(self).model_fields:
            return None
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    @property
    def model_extra(self) -> Dict[str, Any]:
        """The members the type does not know (fields the API added later)."""
        _materialize(self)
        known = set(type(self).model_fields.values())
        return {k: v for k, v in self.__dict__.items() if k not in known}

    @property
    def model_fields_set(self) -> set:  # type: ignore[type-arg]
        _materialize(self)
        by_json = {v: k for k, v in type(self).model_fields.items()}
        return {by_json.get(k, k) for k in self.__dict__}

    # -- serialization ----------------------------------------------------

    def to_dict(
        self,
        *,
        mode: str = "python",
        use_api_names: bool = True,
        exclude_unset: bool = True,
        exclude_defaults: bool = False,
        exclude_none: bool = False,
        warnings: bool = True,
    ) -> Dict[str, Any]:
        """What the server sent (openai-python's default), as plain dicts and lists."""
        return self.model_dump(
            mode=mode,
            by_alias=use_api_names,
            exclude_unset=exclude_unset,
            exclude_none=exclude_none,
        )

    def to_json(
        self,
        *,
        indent: Optional[int] = 2,
        use_api_names: bool = True,
        exclude_unset: bool = True,
        exclude_defaults: bool = False,
        exclude_none: bool = False,
        warnings: bool = True,
    ) -> str:
        return self.model_dump_json(
            indent=indent,
            by_alias=use_api_names,
            exclude_unset=exclude_unset,
            exclude_none=exclude_none,
        )

    def model_dump(
        self,
        *,
        mode: str = "python",
        include: Any = None,
        exclude: Any = None,
        context: Any = None,
        by_alias: Optional[bool] = None,
        exclude_unset: bool = False,
        exclude_defaults: bool = False,
        exclude_none: bool = False,
        round_trip: bool = False,
        warnings: Any = True,
        serialize_as_any: bool = False,
        **_: Any,
    ) -> Dict[str, Any]:
        """pydantic's `model_dump`: every field the type knows (None when not
        sent) and the unknown members that were sent."""
        out = _dump(self, not exclude_unset, exclude_none, bool(by_alias))
        if include is not None or exclude is not None:
            out = {
                k: v
                for k, v in out.items()
                if (include is None or k in include) and (exclude is None or k not in exclude)
            }
        return out

    def model_dump_json(
        self,
        *,
        indent: Optional[int] = None,
        include: Any = None,
        exclude: Any = None,
        context: Any = None,
        by_alias: Optional[bool] = None,
        exclude_unset: bool = False,
        exclude_defaults: bool = False,
        exclude_none: bool = False,
        round_trip: bool = False,
        warnings: Any = True,
        serialize_as_any: bool = False,
        **_: Any,
    ) -> str:
        data = self.model_dump(
            include=include,
            exclude=exclude,
            by_alias=by_alias,
            exclude_unset=exclude_unset,
            exclude_none=exclude_none,
        )
        if indent is None:
            return json.dumps(data, separators=(",", ":"), ensure_ascii=False)
        return json.dumps(data, indent=indent, ensure_ascii=False)

    # pydantic v1 names, still used in scripts.
    def dict(self, **kwargs: Any) -> Dict[str, Any]:
        return self.model_dump(**kwargs)

    def json(self, **kwargs: Any) -> str:
        return self.model_dump_json(**kwargs)

    def model_copy(self, *, update: Optional[Dict[str, Any]] = None, deep: bool = False) -> Any:
        data = self.to_dict() if deep else dict(self._rr_data())
        if update:
            aliases = type(self).model_fields
            for k, v in update.items():
                data[aliases.get(k, k)] = v
        return _new(type(self), data)

    copy = model_copy

    # -- Python protocol ------------------------------------------------------

    def _rr_data(self) -> Dict[str, Any]:
        _materialize(self)
        return self.__dict__

    def __iter__(self) -> Iterator[Tuple[str, Any]]:
        for name in type(self).model_fields:
            yield name, getattr(self, name)
        yield from self.model_extra.items()

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.to_dict() == other.to_dict()  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        parts = [f"{name}={getattr(self, name)!r}" for name in type(self).model_fields]
        parts += [f"{k}={v!r}" for k, v in self.model_extra.items()]
        return f"{type(self).__name__}({', '.join(parts)})"

    def __reduce__(self) -> Any:
        return (_new, (type(self), self.to_dict()))


def _new(cls: Any, data: Dict[str, Any]) -> Any:
    obj = _object_new(cls)
    obj.__dict__ = data
    return obj


def lazy(cls: Any, raw: bytes, request_id: Optional[str] = None) -> Any:
    """A model kept as raw JSON bytes until a field is read."""
    obj = _object_new(cls)
    obj._rr_raw = raw
    if request_id is not None:
        obj._request_id = request_id
    return obj


def _dump(value: Any, full: bool, exclude_none: bool, by_alias: bool) -> Any:
    if isinstance(value, BaseModel):
        data = value._rr_data()
        fields = type(value).model_fields
        out: Dict[str, Any] = {}
        if full:
            for name, key in fields.items():
                v = getattr(value, name)
                if v is None and exclude_none:
                    continue
                out[key if by_alias else name] = _dump(v, full, exclude_none, by_alias)
            known = set(fields.values())
            for k, v in data.items():
                if k not in known and not (v is None and exclude_none):
                    out[k] = _dump(v, full, exclude_none, by_alias)
            return out
        names = {key: name for name, key in fields.items()} if not by_alias else {}
        for k, v in data.items():
            if v is None and exclude_none:
                continue
            out[names.get(k, k)] = _dump(v, full, exclude_none, by_alias)
        return out
    if isinstance(value, list):
        return [_dump(v, full, exclude_none, by_alias) for v in value]
    if isinstance(value, dict):
        return {
            k: _dump(v, full, exclude_none, by_alias)
            for k, v in value.items()
            if not (v is None and exclude_none)
        }
    return value


# -- building classes from the generated table ---------------------------------

_CLASSES: Dict[str, type] = {}
# Hand-written behaviour for some generated classes (name -> mixin class).
MIXINS: Dict[str, type] = {}


def _schema() -> Any:
    from .types import _schema as schema

    return schema


def class_for(name: str) -> Any:
    """The model class called `name` (as in openai-python), built on first use."""
    cls = _CLASSES.get(name)
    if cls is not None:
        return cls
    schema = _schema()
    entry = schema.CLASSES[name]
    module, fields, nested = entry[0], entry[1], entry[2]
    aliases: Dict[str, str] = entry[3] if len(entry) > 3 else {}
    # Classes openai does not export are keyed "module.Name" (many share a name,
    # e.g. Choice); the class itself is called Name, as in openai.
    short = name.rpartition(".")[2]
    ns: Dict[str, Any] = {
        "__slots__": (),
        "__module__": "rapidresponse.types." + module,
        "__qualname__": short,
        "model_fields": {f: aliases.get(f, f) for f in fields},
    }
    for field, spec in nested.items():
        ns[field] = _Nested(aliases.get(field, field), converter(spec))
    for field, key in aliases.items():
        ns[field] = _Alias(key, ns.get(field))
    # Where openai extends one model in another, isinstance holds here too.
    base_name = schema.BASES.get(name)
    base = class_for(base_name) if base_name is not None else BaseModel
    mixin = MIXINS.get(name)
    bases = (mixin, base) if mixin is not None else (base,)
    cls = type(short, bases, ns)
    _CLASSES[name] = cls
    return cls


def union_classes(name: str) -> Tuple[str, Dict[str, Any], Any]:
    """A discriminated union of the table: (tag field, {tag: class}, fallback class).
    Where members share a tag (a nested union spec), the nested fallback stands for them."""
    spec = _schema().UNIONS[name]
    _, tag, members, fallback = spec
    classes = {k: class_for(v if isinstance(v, str) else v[3]) for k, v in members.items()}
    return tag, classes, class_for(fallback) if fallback else None


def converter(spec: Any) -> Callable[[Any], Any]:
    """A function turning raw JSON into models, as the table's spec says:
    "Name" (a model), ["list", spec], ["dict", spec],
    ["union", tag, {tag value: "Name" or a nested union spec}, "FallbackName" or None],
    or ["alias", "UnionName"] (a union named in UNIONS)."""
    if isinstance(spec, str):
        cls_box: list = []  # type: ignore[type-arg]

        def model(v: Any) -> Any:
            if type(v) is not dict:
                return v
            if not cls_box:
                cls_box.append(class_for(spec))
            return _new(cls_box[0], v)

        return model
    kind = spec[0]
    if kind == "alias":
        return converter(_schema().UNIONS[spec[1]])
    if kind == "list":
        inner = converter(spec[1])

        def listed(v: Any) -> Any:
            if type(v) is not list:
                return v
            return ModelList([inner(x) for x in v])

        return listed
    if kind == "dict":
        inner = converter(spec[1])

        def mapped(v: Any) -> Any:
            if type(v) is not dict:
                return v
            return ModelDict({k: inner(x) for k, x in v.items()})

        return mapped
    if kind == "union":
        tag, members, fallback = spec[1], spec[2], spec[3]
        cache: Dict[Any, Any] = {}

        def pick(v: Any) -> Any:
            if type(v) is not dict:
                return v
            name = members.get(v.get(tag), fallback)
            if name is None:
                return v
            if type(name) is list:
                # Members sharing this tag, told apart by another field.
                conv = cache.get(id(name))
                if conv is None:
                    conv = cache[id(name)] = converter(name)
                return conv(v)
            cls = cache.get(name)
            if cls is None:
                cls = cache[name] = class_for(name)
            return _new(cls, v)

        return pick
    raise ValueError(f"unknown schema spec {spec!r}")


# -- hand-written additions to generated classes ---------------------------------------


def _member(x: Any, key: str) -> Any:
    if type(x) is dict:
        return x.get(key)
    if isinstance(x, BaseModel):
        return x.__dict__.get(key)
    return None


class _ResponseMixin:
    __slots__ = ()

    @property
    def output_text(self) -> str:
        """The text of every `output_text` part of the `message` items, joined
        (refusals left out); "" when there is none."""
        try:
            pending = self._rr_raw is not None  # type: ignore[attr-defined]
        except AttributeError:
            pending = False
        if pending:
            try:
                text = self._rr_extra  # type: ignore[attr-defined]
            except AttributeError:
                text = None
            if text is None:
                from . import _native

                text = _native.output_text(self._rr_raw)  # type: ignore[attr-defined]
            if text is not None:
                return text  # type: ignore[no-any-return]
        texts = []
        for item in self.output or ():  # type: ignore[attr-defined]
            if _member(item, "type") != "message":
                continue
            for part in _member(item, "content") or ():
                if _member(part, "type") == "output_text":
                    texts.append(_member(part, "text") or "")
        return "".join(texts)


MIXINS["Response"] = _ResponseMixin
