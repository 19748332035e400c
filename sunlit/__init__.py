"""Sunlit (阳光村务): village micro-power supervision."""
