// name: single_source_links
// description: The (client, sku) pairs with exactly one supplier, for every client or for one
// param: clientId: string = null
// With a clientId the first branch is one index lookup; without one, the second takes every company.
CALL () {
    MATCH (c:Company {companyId: $clientId})
    RETURN c
    UNION
    MATCH (c:Company)
    WHERE $clientId IS NULL
    RETURN c
}
MATCH (s:Company)-[link:SUPPLIES]->(c)
WITH c, link.sku AS sku, collect(DISTINCT s) AS suppliers
WHERE size(suppliers) = 1
WITH c, sku, suppliers[0] AS s
RETURN c.companyId AS clientId,
       c.name AS client,
       sku,
       s.companyId AS supplierId,
       s.name AS supplier
ORDER BY clientId, sku
