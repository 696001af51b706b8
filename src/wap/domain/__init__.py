"""Pure domain: entities, value objects, rules and domain errors. Standard library only."""
