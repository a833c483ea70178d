// name: referrals_in
// description: Who referred a customer, and who referred them, up the chain to a given depth
// param: id: string
// param: depth: int = 3
// Bounded at 6 hops and filtered by $depth (a quantified pattern's bound cannot be a parameter).
// Each referrer appears once, at their shortest distance; `referred` is whom they referred on
// that path.
CALL () {
    MATCH (c:Person {personId: $id})
    RETURN c
    UNION
    MATCH (c:Company {companyId: $id})
    RETURN c
}
MATCH path = ANY SHORTEST (other)-[:REFERRED]->{1,6}(c)
WHERE other <> c
WITH path, other, length(path) AS distance, head(relationships(path)) AS referral
WHERE distance <= $depth
WITH other, distance, referral, nodes(path)[1] AS referred
RETURN distance,
       coalesce(other.personId, other.companyId) AS id,
       other.name AS name,
       CASE WHEN other:Person THEN 'Person' ELSE 'Company' END AS kind,
       coalesce(referred.personId, referred.companyId) AS referredId,
       referred.name AS referred,
       referral.date AS date,
       referral.channel AS channel,
       coalesce(referral.converted, true) AS converted
ORDER BY distance, date, id
