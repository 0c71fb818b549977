"""How many CPU threads the numerical libraries use inside one search."""
from __future__ import annotations


def limit_numeric_threads(threads: int) -> None:
    """Let torch, OpenBLAS (numpy) and OpenMP (faiss) use `threads` threads each.

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
