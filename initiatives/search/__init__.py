"""Finding initiatives: segmentation, full-text search, query syntax, filters and facets."""
