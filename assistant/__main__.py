import signal
import sys

# Before the imports, which take a while: a Ctrl+C (SIGINT) must interrupt even when the
# process started with SIGINT ignored (a shell's background job), where Python installs
# no handler of its own (assistant.cli.main installs it too, for the console script).
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

try:
    from assistant.cli import main
except KeyboardInterrupt:  # while starting up: nothing was done yet
    print("\ninterrupted", file=sys.stderr)
    sys.exit(130)

sys.exit(main())
