"""Neo4j itself: the local server, the connection settings and driver, and the schema."""
