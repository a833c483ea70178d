// name: company_360
// description: A company's profile with its sales, accounts, supply links, staff and the products it makes
// param: id: string
// Counts that only need a degree (COUNT {} of one hop) are read from the store without touching
// relationships; revenue has to visit each order sold by the company.
MATCH (c:Company {companyId: $id})
CALL (c) {
    OPTIONAL MATCH (o:Order)-[:SOLD_BY]->(c)
    RETURN count(o) AS orders,
           sum(o.total) AS revenue
}
RETURN c.companyId AS id,
       c.name AS name,
       c.industry AS industry,
       c.size AS size,
       c.city AS city,
       c.country AS country,
       c.region AS region,
       [label IN labels(c) WHERE label IN ['Customer', 'Supplier']] AS roles,
       orders,
       revenue,
       COUNT { (c)<-[:CUSTOMER_OF]-() } AS accounts,
       COUNT { MATCH (s:Company)-[:SUPPLIES]->(c) RETURN DISTINCT s } AS suppliers,
       COUNT { MATCH (c)-[:SUPPLIES]->(client:Company) RETURN DISTINCT client } AS clients,
       COUNT { (c)<-[:WORKS_AT]-() } AS employees,
       [(c)-[:MAKES]->(p:Product) | p {.sku, .name, .category}] AS products
