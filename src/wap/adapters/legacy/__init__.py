"""Reading the old service (its MySQL database and its images) and writing the import."""
