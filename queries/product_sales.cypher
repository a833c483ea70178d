// name: product_sales
// description: A product's sales: orders, units, distinct buyers and revenue (quantity x unit price of its order lines)
// param: sku: string
MATCH (p:Product {sku: $sku})
OPTIONAL MATCH (p)<-[line:INCLUDES]-(o:Order)
OPTIONAL MATCH (o)<-[:PLACED]-(buyer)
WITH p, o, line, buyer, CASE WHEN line IS NULL THEN 0 ELSE coalesce(line.quantity, 1) END AS quantity
RETURN count(DISTINCT o) AS orders,
       sum(quantity) AS units,
       count(DISTINCT buyer) AS buyers,
       sum(quantity * coalesce(line.unitPrice, p.unitPrice, 0)) AS revenue
