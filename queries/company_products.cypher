// name: company_products
// description: The products a company makes, with their category and unit price
// param: id: string
// param: limit: int = 50
MATCH (c:Company {companyId: $id})-[:MAKES]->(p:Product)
RETURN p.sku AS sku,
       p.name AS name,
       p.category AS category,
       p.unitPrice AS unitPrice,
       p.currency AS currency
ORDER BY name, sku
LIMIT $limit
