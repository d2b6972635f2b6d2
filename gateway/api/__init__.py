"""API v1: JSON controllers, one module per resource; each calls the services of its room
(``gateway/releases/``, ``vendors/``) and names its access rule on every route."""
