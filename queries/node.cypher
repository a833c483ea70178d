// name: node
// description: The node of a label with this key (personId, companyId, sku, orderId, interactionId or a region's name)
// param: label: string
// param: key: string
// Every branch is one index seek on its label's key; only the branch of $label can match.
CALL () {
    MATCH (n:Person {personId: $key})
    WHERE $label = 'Person'
    RETURN n
    UNION
    MATCH (n:Company {companyId: $key})
    WHERE $label = 'Company'
    RETURN n
    UNION
    MATCH (n:Product {sku: $key})
    WHERE $label = 'Product'
    RETURN n
    UNION
    MATCH (n:Order {orderId: $key})
    WHERE $label = 'Order'
    RETURN n
    UNION
    MATCH (n:Region {name: $key})
    WHERE $label = 'Region'
    RETURN n
    UNION
    MATCH (n:Interaction {interactionId: $key})
    WHERE $label = 'Interaction'
    RETURN n
}
RETURN n AS node,
       elementId(n) AS elementId
