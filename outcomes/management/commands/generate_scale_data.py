"""``manage.py generate_scale_data``: the benchmark's data generator (bench/scale_data.py).

A command must live in an app; the generator itself belongs to the benchmark.
"""

from bench.scale_data import Command

__all__ = ["Command"]
