from awol.cli.main import console

console()
