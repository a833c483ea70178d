// name: entity
// description: The person or company with this id: its kind, name, labels and properties
// param: id: string
// Person and company ids share one namespace, so an id alone names the entity.
CALL () {
    MATCH (n:Person {personId: $id})
    RETURN n
    UNION
    MATCH (n:Company {companyId: $id})
    RETURN n
}
RETURN coalesce(n.personId, n.companyId) AS id,
       CASE WHEN n:Person THEN 'Person' ELSE 'Company' END AS kind,
       n.name AS name,
       labels(n) AS labels,
       properties(n) AS properties
LIMIT 1
