from retrievers.cli import main

main()
