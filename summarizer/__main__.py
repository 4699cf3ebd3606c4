"""`python -m summarizer`: the command line."""

from summarizer._cli import main

main()
