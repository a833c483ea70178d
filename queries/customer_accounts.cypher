// name: customer_accounts
// description: The companies a customer has an account with: since, satisfaction (1-5), status, account manager
// param: id: string
CALL () {
    MATCH (c:Person {personId: $id})
    RETURN c
    UNION
    MATCH (c:Company {companyId: $id})
    RETURN c
}
MATCH (c)-[a:CUSTOMER_OF]->(company:Company)
RETURN company.companyId AS companyId,
       company.name AS company,
       a.since AS since,
       a.satisfaction AS satisfaction,
       a.status AS status,
       a.accountManager AS accountManager
ORDER BY since, company
