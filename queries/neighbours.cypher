// name: neighbours
// description: A node's relationships and neighbours, for expanding a node in the graph explorer
// param: id: string
// param: types: list = []
// param: limit: int = 50
// The node is named by its key (personId, companyId, sku, orderId, interactionId, or a region's
// name) or by its elementId. `types` restricts the relationship types (empty: all); both
// directions are followed. No ORDER BY: a hub (a retailer with a million orders) stops after
// $limit relationships instead of sorting them all.
CALL () {
    MATCH (n:Person {personId: $id})
    RETURN n
    UNION
    MATCH (n:Company {companyId: $id})
    RETURN n
    UNION
    MATCH (n:Product {sku: $id})
    RETURN n
    UNION
    MATCH (n:Order {orderId: $id})
    RETURN n
    UNION
    MATCH (n:Interaction {interactionId: $id})
    RETURN n
    UNION
    MATCH (n:Region {name: $id})
    RETURN n
    UNION
    MATCH (n)
    WHERE elementId(n) = $id
    RETURN n
}
MATCH (n)-[r]-(neighbour)
WHERE size($types) = 0 OR type(r) IN $types
RETURN n AS node,
       r AS relationship,
       neighbour
LIMIT $limit
