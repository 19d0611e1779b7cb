"""Explicit, typed hooks: how a lower app causes an effect in a higher one without importing it (DESIGN §2).

The lower app declares a hook point from a signature (a function with no body that names each keyword
argument and its type, and says when the hook is called) and calls it inside the transaction of the
change; the higher app registers its handler in its `AppConfig.ready()`. Like Django's signals, but one
declared signature (checked by a type checker through `ParamSpec`, and at registration by comparing the
parameters), no `sender`, and nothing swallowed: a handler that raises rolls the caller's transaction back.

    # certification/hooks.py (the lower app declares it)
    def _assister_access_changed(*, assister: Assister, change: AccessChange, actor, request) -> None:
        '''An assister's standing changed (called inside the transaction of the change).'''

    assister_access_changed = Hook(_assister_access_changed)

    # associations/apps.py (the higher app registers its handler at start-up)
    def ready(self):
        hooks.assister_access_changed.register(services.associations_follow_assister)

    # certification/services (the lower app calls it)
    hooks.assister_access_changed.send(assister=assister, change=AccessChange.SUSPENDED, actor=actor, request=None)

Each registering app has a test that its handler is in `handlers` once Django has started.
"""

import inspect
from collections.abc import Callable
from typing import Generic, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


def _parameters(function: Callable) -> list[tuple[str, inspect._ParameterKind]]:
    return [(p.name, p.kind) for p in inspect.signature(function).parameters.values()]


class Hook(Generic[P, R]):
    """A hook point; `send` calls every registered handler, in registration order, and returns their results."""

    def __init__(self, signature: Callable[P, R]) -> None:
        self.name = f"{signature.__module__}.{signature.__qualname__.lstrip('_')}"
        self.__doc__ = signature.__doc__
        self._parameters = _parameters(signature)
        self._handlers: list[Callable[P, R]] = []

    def register(self, handler: Callable[P, R]) -> Callable[P, R]:
        """Add a handler (once: registering the same function again does nothing). Usable as a decorator.

        A handler whose parameters differ from the hook's signature is refused at start-up, not on the
        first change that calls it.
        """
        if _parameters(handler) != self._parameters:
            raise TypeError(
                f"{handler.__module__}.{handler.__qualname__}{inspect.signature(handler)} does not match "
                f"the hook {self.name}: its parameters must be {self._parameters}"
            )
        if handler not in self._handlers:
            self._handlers.append(handler)
        return handler

    def unregister(self, handler: Callable[P, R]) -> None:
        self._handlers.remove(handler)

    @property
    def handlers(self) -> tuple[Callable[P, R], ...]:
        return tuple(self._handlers)

    def send(self, *args: P.args, **kwargs: P.kwargs) -> list[R]:
        return [handler(*args, **kwargs) for handler in self._handlers]

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {len(self._handlers)} handler(s)>"
