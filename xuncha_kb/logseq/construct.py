"""Fast positional constructors for the frozen, slotted model dataclasses.

A 10k-page graph builds ~450k blocks (and their spans and timestamps); the generated
``__init__`` of a frozen dataclass sets each field through ``object.__setattr__``, which is
about 5× slower than filling the slots directly.  The readers build model objects through
:func:`fast_constructor`; everyone else uses the normal constructors.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

__all__ = ["fast_constructor"]

_T = TypeVar("_T", bound="DataclassInstance")


def fast_constructor(cls: type[_T], args: tuple[str, ...], deferred: tuple[str, ...] = (),
                      fixed: Mapping[str, Any] | None = None) -> Callable[..., _T]:
    """A positional constructor for a frozen, slotted dataclass that skips the per-field
    ``object.__setattr__`` calls of the generated ``__init__`` (5× faster; a 10k-page graph
    builds ~450k blocks).

    It fills an instance of a plain class with the same ``__slots__`` layout (and the same
    bases), then switches the instance's class to ``cls`` — the result *is* a ``cls`` instance,
    frozen from then on.  Slots not in ``args`` get their dataclass defaults, except the fields
    in ``deferred``, which stay unset: ``args`` then names a base-class slot (``_lazy``) holding
    the thunk that fills them on first access (see ``model._LazyFields``).  Falls back to
    ``cls(**kwargs)`` if the layout trick is not possible (e.g. the model class changed shape).
    """
    slots = tuple(getattr(cls, "__slots__", ()))
    fields = {f.name: f for f in dataclasses.fields(cls)}
    base_slots = {s for base in cls.__mro__[1:] for s in getattr(base, "__slots__", ())}
    field_args = tuple(a for a in args if a in fields)
    fixed = dict(fixed or {})

    def slow(*values: Any) -> Any:
        kwargs = {**fixed, **dict(zip(args, values, strict=True))}
        thunk = kwargs.pop("_lazy", None)
        if thunk is not None:
            fn, fargs = thunk
            kwargs.update(zip(deferred, fn(*fargs), strict=True))
        return cls(**kwargs)

    if not _layout_fits(slots, set(fields), base_slots, args, deferred, fixed):
        return slow
    mirror = type(f"_{cls.__name__}Filler", cls.__bases__, {"__slots__": slots})
    ns: dict[str, Any] = {"M": mirror, "C": cls}
    body = [f"    o.{a} = {a}" for a in args]
    for name, f in fields.items():
        if name in field_args:
            continue
        if name in fixed:
            ns[f"v_{name}"] = fixed[name]
            body.append(f"    o.{name} = v_{name}")
        elif name in deferred:
            continue
        elif f.default is not dataclasses.MISSING:
            ns[f"d_{name}"] = f.default
            body.append(f"    o.{name} = d_{name}")
        elif f.default_factory is not dataclasses.MISSING:
            ns[f"f_{name}"] = f.default_factory
            body.append(f"    o.{name} = f_{name}()")
        else:
            return slow
    body.append("    o.__class__ = C\n    return o\n")
    src = f"def make({', '.join(args)}):\n    o = M()\n" + "\n".join(body)
    exec(src, ns)  # same technique dataclasses uses to generate __init__
    make: Callable[..., Any] = ns["make"]
    try:
        probe = make(*range(len(args)))
    except TypeError:  # incompatible layout for __class__ assignment
        return slow
    if type(probe) is not cls:
        return slow
    return make


def _layout_fits(slots: tuple[str, ...], fields: set[str], base_slots: set[str], args: tuple[str, ...],
                 deferred: tuple[str, ...], fixed: Mapping[str, Any]) -> bool:
    """Whether the slot-filling trick applies: slots are the fields, and every name is known."""
    if not slots or set(slots) != fields or not set(args) <= fields | base_slots:
        return False
    if not set(fixed) <= fields - set(args):
        return False
    lazy_ok = "_lazy" in args and "_lazy" in base_slots and set(deferred) <= fields
    return not deferred or lazy_ok
