"""callscope."""
