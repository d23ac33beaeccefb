"""Distribution as commissions run it (issue 13): graduates choose posts in rating order
(:mod:`.choice`), the planner designs the list of offered posts (:mod:`.menu`), and any
distribution is audited for justified envy (:mod:`.audit`). Each module's docstring is its
formulation."""
