"""`SerialBackend`: one LLM backend shared by web and terminal turns, one call at a time."""

from __future__ import annotations

import threading
from typing import Any, Callable, Iterator


class SerialBackend:
    """Wraps a backend (loaded on first use) so that every call on it holds `lock`.

    `stream()` holds the lock until its stream ends or is closed; every other method for the
    length of the call. Attributes (`name`, `notice`, `supports_tools`...) pass through.

    Args:
        load: returns the backend (called once, on first use).
        lock: shared with whoever else drives the same model.
    """

    def __init__(self, load: Callable[[], Any], lock: threading.RLock | None = None):
        self._load = load
        self._inner = None
        self._loading = threading.Lock()
        self.lock = lock or threading.RLock()

    @property
    def inner(self):
        if self._inner is None:
            with self._loading:
                if self._inner is None:
                    self._inner = self._load()
        return self._inner

    @property
    def loaded(self) -> bool:
        return self._inner is not None

    def stream(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        inner = self.inner
        with self.lock:
            yield from inner.stream(*args, **kwargs)

    def complete(self, *args: Any, **kwargs: Any) -> Any:
        inner = self.inner
        with self.lock:
            return inner.complete(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        value = getattr(self.inner, name)
        if callable(value) and not isinstance(value, type):
            def call(*args: Any, **kwargs: Any) -> Any:
                with self.lock:
                    return value(*args, **kwargs)

            call.__name__ = name
            return call
        return value
