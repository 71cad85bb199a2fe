"""Start from the client's own funnel: CRM export targets, model fitting and its posterior."""
