#!/usr/bin/env python
from sunlit.cli import main

if __name__ == "__main__":
    main()
