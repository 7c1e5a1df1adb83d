"""SQL files of scorehouse: schema, features, labels, views, audits (located via this package)."""
