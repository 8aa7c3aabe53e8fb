"""Simulation use case (being rebuilt on :func:`callscope.queueing.simulate.center_from_plan`)."""
