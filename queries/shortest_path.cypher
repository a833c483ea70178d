// name: shortest_path
// description: The shortest chain of relationships between two people, companies or products, in any direction
// param: fromId: string
// param: toId: string
// param: types: list = []
// An id is a person, company or product key. `types` restricts the relationship types followed
// (empty: all). Bounded at 8 hops; shortestPath searches from both ends at once, so hubs on the
// way cost little.
CALL () {
    MATCH (a:Person {personId: $fromId})
    RETURN a
    UNION
    MATCH (a:Company {companyId: $fromId})
    RETURN a
    UNION
    MATCH (a:Product {sku: $fromId})
    RETURN a
}
CALL () {
    MATCH (b:Person {personId: $toId})
    RETURN b
    UNION
    MATCH (b:Company {companyId: $toId})
    RETURN b
    UNION
    MATCH (b:Product {sku: $toId})
    RETURN b
}
MATCH path = shortestPath((a)-[*..8]-(b))
WHERE a <> b
  AND all(r IN relationships(path) WHERE size($types) = 0 OR type(r) IN $types)
RETURN length(path) AS hops,
       [n IN nodes(path) | coalesce(n.name, n.orderId, n.interactionId)] AS names,
       [r IN relationships(path) | type(r)] AS types,
       path
