// name: referrals_out
// description: Whom a customer referred, and whom they referred in turn, to a given depth (converted or not)
// param: id: string
// param: depth: int = 3
// Depth cannot be a parameter of a quantified pattern: the pattern is bounded at 6 hops and
// filtered by $depth, so depths above 6 act as 6. Each person appears once, at their shortest
// distance; `referredBy` is the person before them on that path.
CALL () {
    MATCH (c:Person {personId: $id})
    RETURN c
    UNION
    MATCH (c:Company {companyId: $id})
    RETURN c
}
MATCH path = ANY SHORTEST (c)-[:REFERRED]->{1,6}(other)
WHERE other <> c
WITH path, other, length(path) AS distance, last(relationships(path)) AS referral
WHERE distance <= $depth
WITH path, other, distance, referral, nodes(path)[-2] AS referrer
RETURN distance,
       coalesce(other.personId, other.companyId) AS id,
       other.name AS name,
       CASE WHEN other:Person THEN 'Person' ELSE 'Company' END AS kind,
       coalesce(referrer.personId, referrer.companyId) AS referredById,
       referrer.name AS referredBy,
       referral.date AS date,
       referral.channel AS channel,
       coalesce(referral.converted, true) AS converted
ORDER BY distance, date, id
