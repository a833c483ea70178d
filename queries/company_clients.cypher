// name: company_clients
// description: The companies a company supplies, one row per supply link: sku, share, lead time, volume, contract
// param: id: string
// param: limit: int = 50
MATCH (c:Company {companyId: $id})-[link:SUPPLIES]->(client:Company)
RETURN client.companyId AS id,
       client.name AS name,
       link.sku AS sku,
       link.sharePct AS sharePct,
       link.leadTimeDays AS leadTimeDays,
       link.annualVolume AS annualVolume,
       link.contractId AS contractId
ORDER BY name, id, sku
LIMIT $limit
