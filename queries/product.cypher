// name: product
// description: The product with this sku as a card's head: its kind, name, labels and properties
// param: sku: string
MATCH (n:Product {sku: $sku})
RETURN n.sku AS id,
       'Product' AS kind,
       n.name AS name,
       labels(n) AS labels,
       properties(n) AS properties
