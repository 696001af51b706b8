"""`wap import-legacy`: the club's old Django database, imported through the domain's rules."""
