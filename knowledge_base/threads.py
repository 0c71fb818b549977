"""How many CPU threads the numerical libraries use inside one search."""
from __future__ import annotations

import contextlib
from typing import Iterator


def limit_numeric_threads(threads: int) -> None:
    """Let torch, OpenBLAS (numpy) and OpenMP (faiss) use `threads` threads each, for the rest
    of the process.

    A server that runs several searches at once in its own threads should give each search one:
    with every library keeping a pool of one thread per core, a search on 2 cores cost 237 ms of
    CPU instead of 37 ms (the pools' threads spin waiting for work and fight each other), and
    took 124 ms instead of 35 (README, "Production topology").
    """
    import faiss  # noqa: F401 - the pools are limited in the libraries already loaded
    import numpy  # noqa: F401
    import threadpoolctl
    import torch

    threadpoolctl.threadpool_limits(limits=threads)
    torch.set_num_threads(threads)


@contextlib.contextmanager
def numeric_threads(threads: int) -> Iterator[None]:
    """The same limit for a block only (a benchmark that also builds an index)."""
    import threadpoolctl
    import torch

    saved = torch.get_num_threads()
    with threadpoolctl.threadpool_limits(limits=threads):
        torch.set_num_threads(threads)
        try:
            yield
        finally:
            torch.set_num_threads(saved)
