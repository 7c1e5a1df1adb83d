"""Warehouse access and the SQL feature layer: snapshots, labels and training spines."""
