"""`python -m sunlit …` is the same as the `sunlit` command (Django's autoreloader,
used by the worker in DEBUG, restarts the process this way)."""

from sunlit.cli import main

main()
