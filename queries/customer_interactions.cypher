// name: customer_interactions
// description: A customer's interactions with companies, newest first: kind, channel, sentiment, note
// param: id: string
// param: limit: int = 100
CALL () {
    MATCH (c:Person {personId: $id})
    RETURN c
    UNION
    MATCH (c:Company {companyId: $id})
    RETURN c
}
MATCH (c)-[:HAD]->(i:Interaction)
OPTIONAL MATCH (i)-[:WITH]->(company:Company)
RETURN i.interactionId AS interactionId,
       i.date AS date,
       i.kind AS kind,
       i.channel AS channel,
       i.sentiment AS sentiment,
       company.companyId AS companyId,
       company.name AS company,
       i.note AS note
ORDER BY date DESC, interactionId
LIMIT $limit
