// name: company_customers
// description: A company's customers by revenue: orders sold by it, last order and account satisfaction
// param: id: string
// param: limit: int = 50
MATCH (c:Company {companyId: $id})<-[:SOLD_BY]-(o:Order)<-[:PLACED]-(customer)
WITH c, customer, count(o) AS orders, sum(o.total) AS revenue, max(o.date) AS lastOrder
ORDER BY revenue DESC, orders DESC
LIMIT $limit
OPTIONAL MATCH (customer)-[a:CUSTOMER_OF]->(c)
RETURN coalesce(customer.personId, customer.companyId) AS id,
       customer.name AS name,
       CASE WHEN customer:Person THEN 'Person' ELSE 'Company' END AS kind,
       orders,
       revenue,
       lastOrder,
       a.satisfaction AS satisfaction,
       a.accountManager AS accountManager
ORDER BY revenue DESC, orders DESC, id
