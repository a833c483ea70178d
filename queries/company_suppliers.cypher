// name: company_suppliers
// description: A company's suppliers tier by tier (1 = direct), with the link each one supplies on
// param: id: string
// param: tiers: int = 4
// ANY SHORTEST finds each upstream company once, at its nearest tier, by a breadth-first search
// from the company, so dense supply networks stay cheap. Bounded at 6 tiers and filtered by
// $tiers (a quantified pattern's bound cannot be a parameter). `suppliesId` is the company the
// supplier sells to on that path, and sku, sharePct, leadTimeDays describe that link.
MATCH (c:Company {companyId: $id})
MATCH path = ANY SHORTEST (s:Company)-[:SUPPLIES]->{1,6}(c)
WHERE s <> c
WITH s, length(path) AS tier, head(relationships(path)) AS link, nodes(path)[1] AS client
WHERE tier <= $tiers
RETURN tier,
       s.companyId AS id,
       s.name AS name,
       s.region AS region,
       client.companyId AS suppliesId,
       client.name AS supplies,
       link.sku AS sku,
       link.sharePct AS sharePct,
       link.leadTimeDays AS leadTimeDays
ORDER BY tier, name, id
