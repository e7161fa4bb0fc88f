"""Demo data: a believable two-branch shop with months of history (``serialdesk init --demo``).

Everything after the master data is made by the real services, with a clock
that moves forward day by day, so the history is exactly what the shop would
have recorded. The same ``clock_start`` and ``seed`` give the same shop
(warranty numbers excepted: the sale service draws them at random).

- ``build``: ``load_demo`` (the entry point), ``database_is_empty``, the summary;
- ``master_data``: the shop's tables, read from ``shop.json`` (package data);
- ``shop``: the shop being built, its clock, stock look-ups and restocking;
- ``history``: the days of trade, with the script of events and the random sales;
- ``events``: the scripted events themselves.
"""
