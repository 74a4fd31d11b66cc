from civisms.cli import main

main()
