import os
import sys

# The project's test helpers (wait_for) live in tests/support.
sys.path.insert(0, os.path.join(os.path.dirname(__file__), os.pardir, os.pardir, "tests",
                                "support"))
