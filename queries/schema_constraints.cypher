// name: schema_constraints
// description: The database's constraints as the server reports them: kind, labels and properties
SHOW CONSTRAINTS
YIELD name, type, entityType, labelsOrTypes, properties
RETURN name,
       type,
       entityType,
       labelsOrTypes,
       properties
ORDER BY name
