"""Stock by serial or quantity: goods receipt, transfers between branches, supplier
returns, stocktake, adjustments and write-offs, and what is on hand."""
