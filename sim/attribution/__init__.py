"""Marketing attribution: the rules CRM and attribution tools apply to a touch log, and the causal truth."""
