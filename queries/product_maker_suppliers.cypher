// name: product_maker_suppliers
// description: Who supplies the makers of a product: maker, supplier, sku supplied, share and lead time
// param: sku: string
MATCH (:Product {sku: $sku})<-[:MAKES]-(maker:Company)<-[s:SUPPLIES]-(supplier:Company)
RETURN maker.companyId AS makerId,
       maker.name AS maker,
       supplier.companyId AS supplierId,
       supplier.name AS supplier,
       s.sku AS sku,
       s.sharePct AS sharePct,
       s.leadTimeDays AS leadTimeDays
ORDER BY maker, sharePct DESC, supplier
