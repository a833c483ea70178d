// name: schema_indexes
// description: The database's indexes as the server reports them: kind, state, population and owning constraint
SHOW INDEXES
YIELD name, type, entityType, labelsOrTypes, properties, state, populationPercent, owningConstraint
RETURN name,
       type,
       entityType,
       labelsOrTypes,
       properties,
       state,
       populationPercent,
       owningConstraint
ORDER BY name
