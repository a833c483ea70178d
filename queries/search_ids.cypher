// name: search_ids
// description: People and companies whose id starts with the text, in id order
// param: text: string
// param: limit: int = 10
// Each branch stops after $limit ids, so a short prefix costs a bounded index scan.
CALL () {
    MATCH (n:Person)
    WHERE n.personId STARTS WITH $text
    RETURN n
    LIMIT $limit
    UNION
    MATCH (n:Company)
    WHERE n.companyId STARTS WITH $text
    RETURN n
    LIMIT $limit
}
RETURN coalesce(n.personId, n.companyId) AS id,
       n.name AS name,
       CASE WHEN n:Person THEN 'Person' ELSE 'Company' END AS kind,
       coalesce(n.occupation, n.industry) AS detail,
       n.city AS city
ORDER BY id
LIMIT $limit
