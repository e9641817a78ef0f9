"""Preloaded first by the worker pool's fork server: a terminal's Ctrl-C is the flow's to handle.

The fork server ignores SIGINT itself, but only once its preloads are imported, and the next
one (`newsetl.warm`) takes seconds: a Ctrl-C then printed its KeyboardInterrupt traceback under
the CLI's one-line "interrupted". The flow's process stops the workers itself; the fork server
ends when that process does.
"""

import signal

signal.signal(signal.SIGINT, signal.SIG_IGN)
