// name: product_buyers
// description: Who bought a product, newest order first: customer, seller, quantity, price and warranty
// param: sku: string
// param: limit: int = 50
MATCH (p:Product {sku: $sku})<-[line:INCLUDES]-(o:Order)<-[:PLACED]-(customer)
WITH o, line, customer
ORDER BY o.date DESC, o.orderId
LIMIT $limit
OPTIONAL MATCH (o)-[:SOLD_BY]->(seller:Company)
RETURN o.orderId AS orderId,
       o.date AS date,
       coalesce(customer.personId, customer.companyId) AS customerId,
       customer.name AS customer,
       CASE WHEN customer:Person THEN 'Person' ELSE 'Company' END AS kind,
       seller.companyId AS sellerId,
       seller.name AS seller,
       line.quantity AS quantity,
       line.unitPrice AS unitPrice,
       line.warrantyYears AS warrantyYears,
       o.paymentMethod AS paymentMethod
ORDER BY date DESC, orderId
