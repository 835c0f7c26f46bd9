"""Names shared by the test session and the worker processes it starts (no imports: workers load it)."""

# Set in the environment when the session runs on another day (`pytest --clock=…`).
TRAVELLED = "PORTAL_TEST_CLOCK_TRAVELLED"
# The moment the test process lives in, handed to a worker it starts (tests/reliability/worker_hooks.py).
NOW = "PORTAL_TEST_NOW"
