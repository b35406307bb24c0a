"""Engine commands, one module per part of the flow. Each command is one transaction
with exactly one event (see :mod:`apps.coordination.engine`)."""
