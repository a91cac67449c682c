"""Background work in child processes: the process that runs tasks, and the tasks the GUI
hands it (reading files, re-chunking, answering, rendering pages)."""
