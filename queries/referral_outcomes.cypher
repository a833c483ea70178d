// name: referral_outcomes
// description: For each referral to or from a customer, whether the referred one bought on or after its date, when first, and for how much
// param: id: string
// One row per REFERRED relationship touching the customer: `direction` is 'out' (they referred
// `otherId`) or 'in' (`otherId` referred them). `firstOrder` and `boughtAfter` count the orders the
// referred customer placed on or after the referral date (null and 0 when none).
CALL () {
    MATCH (c:Person {personId: $id})
    RETURN c
    UNION
    MATCH (c:Company {companyId: $id})
    RETURN c
}
MATCH (c)-[r:REFERRED]-(other)
WITH c, r, other, CASE WHEN startNode(r) = c THEN 'out' ELSE 'in' END AS direction
WITH r, other, direction, endNode(r) AS referred
OPTIONAL MATCH (referred)-[:PLACED]->(o:Order)
WHERE o.date >= r.date
WITH r, other, direction, min(o.date) AS firstOrder, sum(coalesce(o.total, 0)) AS boughtAfter, count(o) AS ordersAfter
RETURN direction,
       coalesce(other.personId, other.companyId) AS otherId,
       other.name AS other,
       r.date AS date,
       coalesce(r.converted, true) AS converted,
       firstOrder,
       ordersAfter,
       boughtAfter
ORDER BY direction, date, otherId
