from awol.cli.main import main

main()
