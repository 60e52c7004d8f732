"""`python -m onrecord.cli`: the same as the `onrecord` command.

The guard matters: worker processes started with ``spawn`` import this module under another name.
"""

from onrecord.cli import main

if __name__ == "__main__":
    main()
