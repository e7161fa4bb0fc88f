"""The counter: selling, customer returns, repair tickets and warranty replacements, and
the serial passport and warranty cards a cashier or technician reads or prints."""
