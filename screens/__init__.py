"""The counter screens: thin views over app.services, one module per screen."""
