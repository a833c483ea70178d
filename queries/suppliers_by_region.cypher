// name: suppliers_by_region
// description: The suppliers located in a region, with how many clients and which skus they supply
// param: region: string
// The Company label lets the planner use the company_region index.
MATCH (s:Company:Supplier)
WHERE s.region = $region
OPTIONAL MATCH (s)-[link:SUPPLIES]->(client:Company)
RETURN s.companyId AS id,
       s.name AS name,
       s.city AS city,
       s.country AS country,
       count(DISTINCT client) AS clients,
       [sku IN collect(DISTINCT link.sku) WHERE sku IS NOT NULL | sku] AS skus
ORDER BY clients DESC, name, id
