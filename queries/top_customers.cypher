// name: top_customers
// description: The customers who spent the most: revenue and order count over all their orders
// param: limit: int = 10
MATCH (c:Customer)-[:PLACED]->(o:Order)
WITH c, count(o) AS orders, sum(o.total) AS revenue
ORDER BY revenue DESC, orders DESC
LIMIT $limit
RETURN coalesce(c.personId, c.companyId) AS id,
       c.name AS name,
       CASE WHEN c:Person THEN 'Person' ELSE 'Company' END AS kind,
       orders,
       revenue
ORDER BY revenue DESC, orders DESC, id
