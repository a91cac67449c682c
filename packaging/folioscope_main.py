"""Entry point of the frozen app: the GUI, the command line, or --self-test."""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()  # the reader and worker child processes start here too
    if "--self-test" in sys.argv[1:]:
        from folioscope.gui.selftest import main as self_test
        sys.exit(self_test())
    from folioscope.cli import main
    sys.exit(main())
