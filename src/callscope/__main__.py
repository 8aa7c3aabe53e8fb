"""``python -m callscope`` runs the CLI."""

from callscope.cli import main

main()
