// name: colleagues
// description: The people who work at the same companies as a person, with their roles
// param: id: string
// param: limit: int = 100
MATCH (p:Person {personId: $id})-[:WORKS_AT]->(company:Company)<-[w:WORKS_AT]-(colleague:Person)
WHERE colleague <> p
RETURN company.companyId AS companyId,
       company.name AS company,
       colleague.personId AS id,
       colleague.name AS name,
       w.role AS role,
       w.since AS since
ORDER BY company, name, id
LIMIT $limit
