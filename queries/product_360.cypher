// name: product_360
// description: A product's profile, its makers, how often it was ordered, its components and what it goes into
// param: sku: string
MATCH (p:Product {sku: $sku})
RETURN p.sku AS sku,
       p.name AS name,
       p.category AS category,
       p.unitPrice AS unitPrice,
       p.currency AS currency,
       [(maker:Company)-[:MAKES]->(p) | maker {id: maker.companyId, .name}] AS makers,
       COUNT { (p)<-[:INCLUDES]-() } AS orderLines,
       [(part:Product)-[c:COMPONENT_OF]->(p) | part {.sku, .name, quantity: c.quantity}] AS components,
       [(p)-[c:COMPONENT_OF]->(parent:Product) | parent {.sku, .name, quantity: c.quantity}] AS usedIn
