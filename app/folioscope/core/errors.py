"""Errors a user can cause, and cancellation. Their message is one sentence shown as is."""


class FolioscopeError(Exception):
    """A problem the user can act on (bad file, missing model). str() is the message."""


class UnreadableFile(FolioscopeError):
    """The file cannot be read: corrupt, encrypted, empty, unsupported or too large."""


class Cancelled(Exception):
    """The user cancelled; never reported as an error."""


_ALLOCATION_FAILURES = ("could not create a primitive", "bad_alloc", "bad allocation", "failed to allocate",
                        "out of memory", "cannot allocate memory")


def out_of_memory(exc: BaseException) -> bool:
    """Whether an error from a native library (PyTorch's oneDNN, ONNX Runtime, MuPDF) is a
    failed memory allocation."""
    text = str(exc).lower()
    return isinstance(exc, MemoryError) or any(s in text for s in _ALLOCATION_FAILURES)
