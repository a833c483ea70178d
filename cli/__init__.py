"""The `relgraph` command line: one module per command group, assembled in cli.main."""
