"""Optional fast shortest paths with ``scipy.sparse.csgraph`` (engine="scipy").

Same answers as the networkx engine in ``distance.node_distances`` (the tests
check both on random graphs); among several equally short paths the two
engines may pick different ones, which can change the secondary quantity
(minutes along the shortest-km path). scipy is optional: install it to use
this engine.
"""

from __future__ import annotations

import networkx as nx
import numpy as np


def node_distances_scipy(graph: nx.Graph, sources: list, targets: list, weight: str = "km",
                         cutoffs: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(km, minutes) arrays (len(sources), len(targets)); NaN beyond cut-off or unreachable."""
    try:
        from scipy.sparse import csr_array, csr_matrix
        from scipy.sparse.csgraph import dijkstra
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("engine='scipy' needs scipy (pip install scipy)") from exc
    other = "minutes" if weight == "km" else "km"
    nodes = list(graph.nodes)
    index = {v: i for i, v in enumerate(nodes)}
    n = len(nodes)
    u, v, w1, w2 = [], [], [], []
    for a, b, d in graph.edges(data=True):
        u.append(index[a])
        v.append(index[b])
        w1.append(d[weight])
        w2.append(d[other])
    u, v = np.array(u, dtype=np.int64), np.array(v, dtype=np.int64)
    w1, w2 = np.array(w1, dtype=float), np.array(w2, dtype=float)
    directed = graph.is_directed()
    if not directed:
        u, v, w1, w2 = np.r_[u, v], np.r_[v, u], np.r_[w1, w1], np.r_[w2, w2]
    matrix = csr_matrix((w1, (u, v)), shape=(n, n))
    src = np.array([index[s] for s in sources], dtype=np.int64)
    tgt = np.array([index[t] for t in targets], dtype=np.int64)
    cut = np.full(len(src), np.inf) if cutoffs is None else np.asarray(cutoffs, dtype=float)
    # Same sparsity as ``matrix``: looks up the secondary value of a tree edge (pred[v], v).
    other_matrix = csr_array((w2, (u, v)), shape=(n, n))
    other_matrix.sum_duplicates()
    primary = np.full((len(src), len(tgt)), np.nan)
    secondary = np.full((len(src), len(tgt)), np.nan)
    chunk = max(1, 2_000_000 // max(n, 1))
    for start in range(0, len(src), chunk):
        block, block_cut = src[start:start + chunk], cut[start:start + chunk]
        live = block_cut >= 0
        if not live.any():
            continue
        # directed=True also for an undirected graph: ``matrix`` already holds both arcs of every edge, and
        # scipy's undirected mode would scan each row twice (the matrix and its transpose) for the same result.
        dist, pred = dijkstra(matrix, directed=True, indices=block[live], return_predecessors=True,
                              limit=float(block_cut[live].max()))
        acc = _along_tree(pred, other_matrix)
        d, a = dist[:, tgt], acc[:, tgt]
        reached = np.isfinite(d) & (d <= block_cut[live][:, None])
        rows = start + np.flatnonzero(live)
        primary[rows] = np.where(reached, d, np.nan)
        secondary[rows] = np.where(reached, a, np.nan)
    return (primary, secondary) if weight == "km" else (secondary, primary)


def _along_tree(pred: np.ndarray, edge_value) -> np.ndarray:
    """Sum of the ``edge_value`` entries along each shortest-path tree, by pointer jumping.

    pred: (k, n) Dijkstra predecessors (-9999 for the source and unreached
    nodes); edge_value: sparse (n, n) matrix holding the value of every arc.
    Invariant: acc[v] is the sum from jump[v] down to v; roots (the source,
    unreached nodes) point to themselves with acc 0, so about log2(depth)
    rounds suffice. The k trees are handled as one flat forest of k * n
    nodes, so every round is a single 1-D gather.
    """
    k, n = pred.shape
    has_pred = pred >= 0
    nodes = np.broadcast_to(np.arange(n), pred.shape)
    parent = np.where(has_pred, pred, nodes)
    acc = np.zeros(pred.shape)
    if edge_value.nnz:
        acc[has_pred] = np.asarray(edge_value[parent[has_pred], nodes[has_pred]]).ravel()
    acc = acc.ravel()
    jump = (parent + (np.arange(k) * n)[:, None]).ravel()
    while True:
        nxt = jump[jump]
        if np.array_equal(nxt, jump):
            return acc.reshape(k, n)
        acc = acc + acc[jump]
        jump = nxt
