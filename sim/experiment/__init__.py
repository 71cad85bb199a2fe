"""Experiments on rep groups: a policy tried on a random share of reps, analysed as an analyst would."""
