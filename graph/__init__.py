"""relgraph core: connection, schema, local Neo4j server, projection, analysis, visualisation."""
