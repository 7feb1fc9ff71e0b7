"""Print the command of one row of the README's command table (``set up``, ``run``, ``test``).

``.ci/run`` runs exactly what a newcomer reads, so the README cannot drift from CI.
"""

import re
import sys
from pathlib import Path

row = sys.argv[1]
readme = Path(__file__).resolve().parents[1] / "README.md"
for line in readme.read_text("utf-8").splitlines():
    if line.startswith("|") and f"**{row}**" in line:
        command = re.search(r"`([^`]+)`", line.split("|")[2])
        if command:
            print(command.group(1))
            sys.exit(0)
sys.exit(f"README.md has no **{row}** row with a command in backticks")
