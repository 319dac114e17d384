"""A stand-in crawl child: opens a run like ``regwatch crawl`` and then misbehaves.

``python fake_crawl.py SOURCE MODE`` with MODE ``crash-before`` (dies before any run),
``crash-after`` (opens a run, then dies), ``hang`` (opens a run, then sleeps) or ``ok``.
"""

import os
import sys
import time

source_id, mode = sys.argv[1], sys.argv[2]
if mode == "crash-before":
    sys.stderr.write("Traceback (most recent call last):\nOSError: no space left on device\n")
    sys.exit(4)

from obligations import db  # noqa: E402  (after the fast path above)
from obligations.services.sources import finish_run, start_run  # noqa: E402

with db.session_scope(os.environ["REGWATCH_DATABASE_URL"]) as session:
    run_id = start_run(session, source_id, "scheduled").id
if mode == "crash-after":
    sys.stderr.write("Fatal Python error: Segmentation fault\n")
    sys.stderr.flush()
    os._exit(139)
if mode == "hang":
    print("started", flush=True)
    time.sleep(60)
with db.session_scope(os.environ["REGWATCH_DATABASE_URL"]) as session:
    finish_run(session, run_id, "ok", None, {"requests": 1})
print('{"status": "ok"}')
