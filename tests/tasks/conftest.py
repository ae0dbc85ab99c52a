"""The task import tests' fixtures (the nation's unit tree, a small catalogue) for the register tests."""
from tests.collect.tasks.conftest import catalogue, tree  # noqa: F401
