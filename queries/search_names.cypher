// name: search_names
// description: People, companies and products whose name matches the text, tolerant of case and small typos
// param: text: fuzzy
// param: limit: int = 10
// A `fuzzy` parameter is the user's plain text; the registry escapes it and sends a Lucene query
// in which each word matches as a prefix or within one or two edits (`word* OR word~`).
CALL db.index.fulltext.queryNodes('entityNames', $text, {limit: $limit})
YIELD node, score
RETURN coalesce(node.personId, node.companyId, node.sku) AS id,
       node.name AS name,
       [label IN labels(node) WHERE label IN ['Person', 'Company', 'Product']][0] AS kind,
       coalesce(node.occupation, node.industry, node.category) AS detail,
       node.city AS city,
       score
ORDER BY score DESC, name, id
