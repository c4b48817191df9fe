from awol.cli.main import app

app(prog_name="awol")
