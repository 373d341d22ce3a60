"""Curators' work: the admin, protected fields and the activity log, merges, withdrawals, uploads."""
