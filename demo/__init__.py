"""The demonstration data set: the Valenciennes programme of the source article.

`demo.loader.load()` writes it; `manage.py load_demo` runs it. `demo.base` holds what every
part shares (clock, accounts, report, upsert helpers); each app's part lives in its own
module (`demo.referential`, `demo.pme`, `demo.grandes_entreprises`, `demo.comites`,
`demo.avances`, `demo.pilotage`) and imports only `demo.base`, the data tables
(`demo.pme_data`, `demo.grandes_entreprises_data`) and the apps' public code.
"""
