"""`funnelsim benchmark`: a versioned suite of market cases x policies x replications, on the sweep machinery."""
