"""relgraph's core, in layers that import only downward.

- ``graph.store``: Neo4j itself: the local server, connection settings and driver, the schema.
- ``graph.projection``: Neo4j into NetworkX (the supply and referral networks, the whole graph
  for export): the one seam where a bigger engine plugs in later.
- ``graph.analysis``: supply-chain risk and word-of-mouth reach on NetworkX graphs; it never
  talks to the driver.
- ``graph.results``: the default analyses computed once per data version and stored (with the
  projected networks, in compact form) for every process and command to read.
- ``graph.visual``: drawing, for the browser (vis-network) and as files (HTML, GraphML).
- ``graph.access`` and ``graph.audit``: who may do what, and the append-only record of every
  write, load and wipe; beside them ``graph.errors`` and ``graph.ids``, which everything shares.

Read Cypher that answers a user's question lives in ``queries/``, which builds on ``graph.store``;
nothing in ``graph`` imports ``queries``.
"""
