"""Autonomous agents: plain policy classes that read a market view and return engine commands.

Ray appears in one module only (:mod:`agents.ray_hosting`); everything else runs and is tested without it.
"""
