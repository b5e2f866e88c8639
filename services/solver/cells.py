"""The one numbering of the model's cells (site x process x block), shared by the model, the warm start
and the solution reader.

A cell is where demand lives: one site, one process, one time block. The model keeps per-cell arrays
shaped [sites, processes, blocks] and flattens them C-order, so a cell's key is (site*P + process)*B +
block. Writing that arithmetic once keeps the three readers of a key from drifting apart. Works on ints
and numpy arrays alike.
"""
from __future__ import annotations

N_BLOCKS = 3  # morning, afternoon, overtime (model.B_MORNING .. B_OVERTIME)


def cell_key(site, process, block, n_processes: int):
    """Flat key of (site, process, block) in an array shaped [sites, n_processes, N_BLOCKS]."""
    return (site * n_processes + process) * N_BLOCKS + block


def cell_parts(key, n_processes: int):
    """(site, process, block) of a flat cell key: the inverse of cell_key."""
    return key // N_BLOCKS // n_processes, key // N_BLOCKS % n_processes, key % N_BLOCKS
