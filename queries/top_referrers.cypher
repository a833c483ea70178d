// name: top_referrers
// description: The customers who brought in the most others: converted direct referrals and their revenue
// param: limit: int = 10
// A referral without a `converted` flag counts as converted (the CSV format's default);
// referredRevenue is the sum of the order totals of the converted direct referrals.
MATCH (r)-[ref:REFERRED]->(referred)
WITH r, referred, coalesce(ref.converted, true) AS converted
WITH r,
     count(DISTINCT referred) AS invitations,
     collect(DISTINCT CASE WHEN converted THEN referred END) AS converts
WHERE size(converts) > 0
ORDER BY size(converts) DESC, invitations DESC
LIMIT $limit
CALL (converts) {
    UNWIND converts AS convert
    OPTIONAL MATCH (convert)-[:PLACED]->(o:Order)
    RETURN sum(o.total) AS referredRevenue
}
RETURN coalesce(r.personId, r.companyId) AS id,
       r.name AS name,
       CASE WHEN r:Person THEN 'Person' ELSE 'Company' END AS kind,
       size(converts) AS referrals,
       invitations,
       referredRevenue
ORDER BY referrals DESC, invitations DESC, id
