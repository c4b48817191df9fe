"""`python -m awol.cli`: the same process as the installed `awol` script (`main.console`)."""

from awol.cli.main import console

console()
