"""`funnelsim app`: a local what-if web app (Solara) over the fast driver, and a browser for sweep and fit folders."""
