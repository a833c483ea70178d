// name: customer_360
// description: A customer's profile and orders, one row per order line: seller, product, warranty and payment
// param: id: string
// A person or a company (their ids share one namespace); a customer without orders gives one row
// with the order columns empty.
CALL () {
    MATCH (c:Person {personId: $id})
    RETURN c
    UNION
    MATCH (c:Company {companyId: $id})
    RETURN c
}
OPTIONAL MATCH (c)-[:PLACED]->(o:Order)
OPTIONAL MATCH (o)-[:SOLD_BY]->(seller:Company)
OPTIONAL MATCH (o)-[line:INCLUDES]->(p:Product)
RETURN coalesce(c.personId, c.companyId) AS id,
       c.name AS name,
       CASE WHEN c:Person THEN 'Person' ELSE 'Company' END AS kind,
       coalesce(c.occupation, c.industry) AS occupation,
       c.city AS city,
       o.orderId AS orderId,
       o.date AS date,
       o.total AS total,
       o.currency AS currency,
       o.channel AS channel,
       o.paymentMethod AS paymentMethod,
       seller.companyId AS sellerId,
       seller.name AS seller,
       p.sku AS sku,
       p.name AS product,
       line.quantity AS quantity,
       line.unitPrice AS unitPrice,
       line.warrantyYears AS warrantyYears
ORDER BY date DESC, orderId, sku
