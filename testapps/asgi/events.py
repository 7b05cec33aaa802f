"""What the test apps did, for the e2e tests to see: each event is a line
appended to the file named by $ASGI_EVENTS (when set) and printed."""
import os


def record(event):
    print("event:", event, flush=True)
    path = os.environ.get("ASGI_EVENTS")
    if path:
        with open(path, "a") as f:
            f.write(event + "\n")
