// name: company_employees
// description: The people who work at a company, with their role and since when
// param: id: string
// param: limit: int = 50
MATCH (c:Company {companyId: $id})<-[w:WORKS_AT]-(p:Person)
RETURN p.personId AS id,
       p.name AS name,
       w.role AS role,
       w.since AS since
ORDER BY name, id
LIMIT $limit
