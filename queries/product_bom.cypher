// name: product_bom
// description: A product's bill of materials: every component down to a depth, with the quantity per unit
// param: sku: string
// param: depth: int = 3
// One row per path, so a part used in two sub-assemblies appears once under each; `quantity` is
// the product of the quantities along the path (a missing quantity counts as 1). Bounded at 6
// levels and filtered by $depth (a quantified pattern's bound cannot be a parameter).
MATCH (product:Product {sku: $sku})
MATCH path = (part:Product)-[:COMPONENT_OF]->{1,6}(product)
WHERE length(path) <= $depth
RETURN length(path) AS level,
       part.sku AS sku,
       part.name AS name,
       nodes(path)[1].sku AS partOf,
       reduce(quantity = 1, link IN relationships(path) | quantity * coalesce(link.quantity, 1)) AS quantity,
       [(maker:Company)-[:MAKES]->(part) | maker.name] AS makers
ORDER BY level, partOf, sku
