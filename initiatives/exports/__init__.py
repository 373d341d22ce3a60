"""Taking data out: CSV and JSON exports, link tables, research tables and the package."""
