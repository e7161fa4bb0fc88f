"""The shop's own settings: branches, staff, suppliers, customers, product types and
products, serial rules, and who may change the set-up."""
