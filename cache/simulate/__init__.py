"""The pre-cache simulator of shared/traces.md: a trace, a policy, a virtual clock, the figures."""

from cache.simulate.cli import main, run_file, simulate
from cache.simulate.engine import SimulationError, Simulator
from cache.simulate.metrics import Metrics
from cache.simulate.trace import Trace, TraceError, parse_trace

__all__ = [
    "Metrics",
    "SimulationError",
    "Simulator",
    "Trace",
    "TraceError",
    "main",
    "parse_trace",
    "run_file",
    "simulate",
]
