"""Core application: settings, paths and the services that wire engine and store."""

import os

__version__ = "0.1.0"

# llama.cpp's CPU backend (and torch) run on OpenMP, whose default spin-waiting
# threads fight over the cores with everything else on a desktop: measured on a
# busy 2-core machine, decode ran at 7-15 tok/s with spinning and 33-73 tok/s with
# passive waiting. It must be set before libgomp loads; a user's own choice wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
