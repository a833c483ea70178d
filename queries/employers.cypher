// name: employers
// description: The companies a person works at, with their role and since when
// param: id: string
MATCH (p:Person {personId: $id})-[w:WORKS_AT]->(company:Company)
RETURN company.companyId AS companyId,
       company.name AS company,
       w.role AS role,
       w.since AS since
ORDER BY since, company, companyId
